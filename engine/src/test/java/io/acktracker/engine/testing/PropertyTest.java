package io.acktracker.engine.testing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PropertyTest
{
    private static final Gen<List<Integer>> LISTS = Gen.list(Gen.ints(0, 99), 0, 50);

    @Test
    void shouldGiveTheSameSampleForTheSameSeed()
    {
        assertThat(LISTS.next(new SplittableRandom(7))).isEqualTo(LISTS.next(new SplittableRandom(7)));
        assertThat(Gen.frequency(Gen.weighted(1, Gen.longs()), Gen.weighted(2, Gen.longs(-3, Long.MAX_VALUE)))
            .next(new SplittableRandom(7))).isNotNull();
    }

    @Test
    void shouldShrinkAListNoFurtherThanAllowed()
    {
        final List<Integer> sample = List.of(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(Gen.list(Gen.ints(0, 9), 5, 10).shrink(sample))
            .contains(List.of(3, 4, 5, 6, 7, 8))
            .allMatch((list) -> list.size() >= 5);
        assertThat(Gen.list(Gen.ints(0, 9), 5, 10, 1).shrink(sample))
            .startsWith(List.of(5, 6, 7, 8), List.of(1, 2, 3, 4));
    }

    @Test
    void shouldShrinkAFailingListToOneElementAndPrintTheReplayCommand()
    {
        final AssertionError error = catchThrowableOfType(AssertionError.class, () -> Property.forAll(LISTS)
            .tries(1_000)
            .check((list) -> assertThat(list).as("%s", list).allMatch((i) -> i < 90)));

        assertThat(error.getMessage())
            .contains("seed ")
            .contains("replay: mvn -B verify -pl engine -am " +
                "-Dtest=PropertyTest#shouldShrinkAFailingListToOneElementAndPrintTheReplayCommand -Dacktracker.seed=")
            .contains("-Dsurefire.failIfNoSpecifiedTests=false");
        assertThat(error.getMessage())
            .containsPattern("shrunk sample \\([0-9]+ shrinks in [0-9]+ attempts\\): \\[9[0-9]\\]");
        assertThat(error.getCause()).hasMessageContaining("[9");
    }

    @Test
    void shouldReplayTheSameTriesFromTheSameSeed()
    {
        final String previous = System.setProperty(Property.SEED_PROPERTY, "12345");
        try
        {
            final List<List<Integer>> first = new ArrayList<>();
            final List<List<Integer>> second = new ArrayList<>();
            Property.forAll(LISTS).tries(20).check(first::add);
            Property.forAll(LISTS).tries(20).check(second::add);
            assertThat(first).hasSize(20).isEqualTo(second);

            assertThatThrownBy(() -> Property.forAll(LISTS).tries(20).check((list) -> assertThat(list).isNotEqualTo(
                first.get(13)))).hasMessageContaining("failed on try 14 of 20, seed 12345");
        }
        finally
        {
            if (null == previous)
            {
                System.clearProperty(Property.SEED_PROPERTY);
            }
            else
            {
                System.setProperty(Property.SEED_PROPERTY, previous);
            }
        }
    }
}
