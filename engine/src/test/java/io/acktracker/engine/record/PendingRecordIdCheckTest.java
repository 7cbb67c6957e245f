package io.acktracker.engine.record;

import io.acktracker.engine.api.TrackerException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A record that no longer holds the id its index entry names (its memory zeroed under the tracker, as compiled code
 * reads a truncated mapping) is refused loudly instead of being read as some other state.
 */
class PendingRecordIdCheckTest
{
    private final UnsafeBuffer memory = new UnsafeBuffer(new byte[PendingRecord.LENGTH]);
    private final PendingRecord record = new PendingRecord().wrap(memory, 0);

    @Test
    void shouldPassARecordThatHoldsTheExpectedId()
    {
        record.messageId(42).status(RecordStatus.PENDING);

        assertThat(record.requireMessage(42, 7)).isSameAs(record);
    }

    @Test
    void shouldRefuseAZeroedRecordNamingTheSlotAndBothIds()
    {
        record.messageId(42).status(RecordStatus.PENDING);
        memory.setMemory(0, PendingRecord.LENGTH, (byte)0);

        assertThatThrownBy(() -> record.requireMessage(42, 7)).isInstanceOf(TrackerException.class)
            .hasMessageContaining("slot 7 should hold message 42 but holds 0");
    }
}
