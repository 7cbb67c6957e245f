package io.acktracker.transport.service;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checked-in reference is the generated one. To regenerate after changing a key:
 * {@code mvn -pl engine,transport test -Dtest=ConfigReferenceTest -Dacktracker.config.reference.write=true}.
 */
class ConfigReferenceTest
{
    private static final Path REFERENCE = Path.of("CONFIG.md");

    @Test
    void shouldMatchTheCheckedInReference() throws IOException
    {
        final String generated = ConfigReference.markdown();
        if (Boolean.getBoolean("acktracker.config.reference.write"))
        {
            Files.writeString(REFERENCE, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(REFERENCE, StandardCharsets.UTF_8))
            .as("transport/CONFIG.md differs from the keys in the code: regenerate it with " +
                "-Dtest=ConfigReferenceTest -Dacktracker.config.reference.write=true (or " +
                "acktracker run --print-config-reference > transport/CONFIG.md)")
            .isEqualTo(generated);
    }

    @Test
    void shouldDocumentEveryKeyWithTypeAndDefault()
    {
        final String reference = ConfigReference.markdown();
        for (final ConfigKey<?> key : ServiceKeys.all())
        {
            assertThat(reference).contains("| `" + key.name() + "` | " + key.type().name() + " | ");
        }
        assertThat(reference).contains("| `tombstone.capacity` | int or capacity | `capacity` |")
            .contains("| `dlq.capacity` | int | `100000` |")
            .contains("| `message.classes.<id>.ack.timeout` | duration | the tracker's ack.timeout |");
    }
}
