package io.acktracker.transport.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The destination key file: owner-only, one name=key per line, refused with the line number (never the key) when
 * a line is bad.
 */
class DestinationKeysTest
{
    private static final String KEY = SecretFile.newToken();

    @TempDir
    Path temp;

    private Path file(final String content, final String permissions) throws IOException
    {
        final Path file = Files.writeString(temp.resolve("destination.keys"), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void shouldReadNamesAndKeysSkippingCommentsAndBlankLines() throws IOException
    {
        final DestinationKeys keys = DestinationKeys.load(file("# venues\n\nvenue-a = " + KEY + "\n", "rw-------"),
            "destination.keys.file");

        assertThat(keys.names()).containsExactly("venue-a");
        assertThat(keys.key("venue-a")).isEqualTo(KEY.getBytes(StandardCharsets.US_ASCII));
        assertThat(keys.key("venue-b")).isNull();
    }

    @Test
    void shouldRefuseAFileOthersCanRead() throws IOException
    {
        final Path file = file("venue-a=" + KEY + "\n", "rw-r--r--");

        assertThatThrownBy(() -> DestinationKeys.load(file, "destination.keys.file"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("invalid destination.keys.file='" + file + "'").hasMessageContaining("chmod 600");
    }

    @Test
    void shouldRefuseABadLineNamingItsNumberAndNotTheKey() throws IOException
    {
        final Path file = file("venue-a=" + KEY + "\nvenue-b=short\n", "rw-------");

        assertThatThrownBy(() -> DestinationKeys.load(file, "destination.keys.file"))
            .hasMessageContaining("line 2").hasMessageContaining("'venue-b'").hasMessageNotContaining("short")
            .hasMessageNotContaining(KEY);
        final Path twice = file("venue-a=" + KEY + "\nvenue-a=" + KEY + "\n", "rw-------");
        assertThatThrownBy(() -> DestinationKeys.load(twice, "destination.keys.file"))
            .hasMessageContaining("line 2: a second key for 'venue-a'");
    }
}
