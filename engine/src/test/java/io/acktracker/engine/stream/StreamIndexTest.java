package io.acktracker.engine.stream;

import io.acktracker.engine.testing.Gen;
import io.acktracker.engine.testing.Property;
import io.acktracker.engine.util.ParallelSort;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StreamIndexTest
{
    @Test
    void shouldKeepSequenceOrderWhenTrackedOutOfOrder()
    {
        final StreamIndex index = new StreamIndex(1);
        for (final long seq : new long[]{ 5, 1, 9, 3, 7, 2 })
        {
            index.add(seq, seq * 10);
        }
        final long[] sequences = new long[index.size()];
        for (int i = 0; i < index.size(); i++)
        {
            sequences[i] = index.sequenceAt(i);
            assertThat(index.messageIdAt(i)).isEqualTo(sequences[i] * 10);
        }
        assertThat(sequences).containsExactly(1, 2, 3, 5, 7, 9);
        assertThat(index.firstIndexAbove(3)).isEqualTo(3);
        assertThat(index.firstIndexAbove(0)).isZero();
        assertThat(index.firstIndexAbove(9)).isEqualTo(6);
    }

    @Test
    void shouldCompactDeadEntriesKeepingOrder()
    {
        final StreamIndex index = new StreamIndex(1);
        for (int seq = 0; seq < 200; seq++)
        {
            index.add(seq, seq);
        }
        for (int i = 0; i < 150; i++)
        {
            index.onFinished();
        }
        assertThat(index.needsCompaction()).isTrue();
        index.compact((id) -> id % 4 == 0);
        assertThat(index.size()).isEqualTo(50);
        assertThat(index.sequenceAt(0)).isZero();
        assertThat(index.sequenceAt(49)).isEqualTo(196);
    }

    @Test
    void shouldTrackTargetAndAppliedOffsetsPerDestination()
    {
        final StreamIndex index = new StreamIndex(1);
        assertThat(index.raiseTarget(3, 10)).isTrue();
        assertThat(index.raiseTarget(3, 10)).isFalse();
        assertThat(index.raiseTarget(3, 4)).isFalse();
        assertThat(index.dirtyDestinations()).isEqualTo(1L << 3);
        index.applied(3, 7);
        assertThat(index.dirtyDestinations()).isEqualTo(1L << 3);
        index.applied(3, 10);
        assertThat(index.dirtyDestinations()).isZero();
        assertThat(index.destinationsCovering(10)).isEqualTo(1L << 3);
        assertThat(index.destinationsCovering(11)).isZero();
    }

    /** Keys of any value, often small (so often equal) and sometimes extreme, in lists of up to 300. */
    static Gen<List<Long>> keyLists()
    {
        final Gen<Long> keys = Gen.frequency(
            Gen.weighted(3, Gen.longs(-100, 100)),
            Gen.weighted(1, Gen.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L, 0L, 1L, Long.MAX_VALUE - 1,
                Long.MAX_VALUE)),
            Gen.weighted(3, Gen.longs()));
        return Gen.list(keys, 0, 300);
    }

    @Test
    void parallelSortShouldSortKeysAndCarryValues()
    {
        Property.forAll(keyLists()).tries(200).check(StreamIndexTest::sortsKeysAndCarriesValues);
    }

    private static void sortsKeysAndCarriesValues(final List<Long> input)
    {
        final long[] keys = input.stream().mapToLong(Long::longValue).toArray();
        final long[] values = Arrays.stream(keys).map((k) -> ~k).toArray();
        ParallelSort.sort(keys, values, keys.length);
        final long[] expected = input.stream().mapToLong(Long::longValue).sorted().toArray();
        assertThat(keys).containsExactly(expected);
        for (int i = 0; i < keys.length; i++)
        {
            assertThat(values[i]).isEqualTo(~keys[i]);
        }
    }
}
