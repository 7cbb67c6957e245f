package io.acktracker.cluster;

import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.HelloProof;
import io.acktracker.transport.auth.SecretFile;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replicated tracker's challenge nonces: members with the same keys derive the same nonce from the same log
 * entry whatever the order of their key files; another entry, session or subject, or other keys, give another.
 */
class LogNoncesTest
{
    private static final String KEY_A = SecretFile.newToken();
    private static final String KEY_B = SecretFile.newToken();

    @Test
    void shouldDeriveTheSameNonceOnMembersWithTheSameKeysAndAnotherForAnythingElse()
    {
        final Map<String, String> forward = new LinkedHashMap<>();
        forward.put("a", KEY_A);
        forward.put("b", KEY_B);
        final Map<String, String> backward = new LinkedHashMap<>();
        backward.put("b", KEY_B);
        backward.put("a", KEY_A);
        final LogNonces member = new LogNonces(DestinationKeys.of(forward), DestinationKeys.none());
        final LogNonces other = new LogNonces(DestinationKeys.of(backward), DestinationKeys.none());

        final byte[] nonce = nonce(member, 4096, 1_700_000_000_000L, 7, 1);
        assertThat(nonce(other, 4096, 1_700_000_000_000L, 7, 1)).isEqualTo(nonce);
        assertThat(other.keysCheck()).isEqualTo(member.keysCheck());

        assertThat(nonce(member, 4160, 1_700_000_000_000L, 7, 1)).as("another position").isNotEqualTo(nonce);
        assertThat(nonce(member, 4096, 1_700_000_000_001L, 7, 1)).as("another time").isNotEqualTo(nonce);
        assertThat(nonce(member, 4096, 1_700_000_000_000L, 8, 1)).as("another session").isNotEqualTo(nonce);
        assertThat(nonce(member, 4096, 1_700_000_000_000L, 7, 2)).as("another subject").isNotEqualTo(nonce);

        // the same keys as clients' rather than destinations', or one key changed: other nonces, another check
        final LogNonces asClients = new LogNonces(DestinationKeys.none(), DestinationKeys.of(forward));
        final LogNonces changed = new LogNonces(
            DestinationKeys.of(Map.of("a", KEY_A, "b", SecretFile.newToken())), DestinationKeys.none());
        for (final LogNonces differs : new LogNonces[]{ asClients, changed })
        {
            assertThat(nonce(differs, 4096, 1_700_000_000_000L, 7, 1)).isNotEqualTo(nonce);
            assertThat(differs.keysCheck()).isNotEqualTo(member.keysCheck());
        }
    }

    private static byte[] nonce(
        final LogNonces nonces, final long position, final long timestamp, final int sessionId, final long subject)
    {
        final byte[] nonce = new byte[HelloProof.NONCE_LENGTH];
        nonces.at(position, timestamp);
        nonces.next(sessionId, subject, nonce);
        return nonce;
    }
}
