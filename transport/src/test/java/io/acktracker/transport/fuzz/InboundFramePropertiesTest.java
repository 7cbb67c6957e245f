package io.acktracker.transport.fuzz;

import io.acktracker.engine.testing.Gen;
import io.acktracker.engine.testing.Property;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportCounter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decoder fuzzing, quick version (default run): 100,000 seeded inputs ({@link FrameGenerators}) over five properties
 * into {@code CommandAdapter.onFragment} wired to the real engine. {@link InboundHarness#feed} checks the inbound
 * contract for every input (no exception, malformed frames counted and changing nothing, well-formed frames handled
 * exactly once, agreement with the independent {@link FrameOracle}); the properties add what each mutation makes
 * certain. One tracker serves the whole class, so state built by earlier inputs (bound sessions, tracked, acked,
 * leased and dead-lettered messages) is what later inputs meet; a failure's replay command therefore reruns the
 * whole class with the printed seed ({@link Property#replayWholeClass}).
 */
class InboundFramePropertiesTest
{
    private static final int TRIES = 20_000;
    private static final FuzzStats STATS = new FuzzStats("decoder fuzzing, quick run");
    private static InboundHarness harness;

    @BeforeAll
    static void open()
    {
        harness = InboundHarness.open(STATS);
    }

    @AfterAll
    static void close()
    {
        final String summary = harness.summary();
        final long malformed = harness.transportCounter(TransportCounter.MALFORMED_FRAMES);
        harness.close();
        System.out.println(STATS.report(summary));
        assertThat(malformed).isEqualTo(STATS.malformedTotal());
    }

    private static Property<FuzzInput> property(final Gen<FuzzInput> inputs)
    {
        return Property.forAll(inputs).tries(TRIES).replayWholeClass();
    }

    @Test
    void everyValidFrameOfEveryTemplateAndVersionIsHandledOnce()
    {
        property(FrameGenerators.valid()).check((input) -> assertThat(input.feedTo(harness)).as("%s", input).isNull());
    }

    @Test
    void bitFlippedFramesAreHandledOnceOrCountedAndChangeNothing()
    {
        property(FrameGenerators.bitFlipped()).check((input) -> input.feedTo(harness));
    }

    @Test
    void truncatedFramesAreMalformedAndAppendedBytesAreSkipped()
    {
        property(Gen.oneOf(FrameGenerators.truncated(), FrameGenerators.appended())).check(
            InboundFramePropertiesTest::truncatedIsMalformedAppendedIsSkipped);
    }

    private static void truncatedIsMalformedAppendedIsSkipped(final FuzzInput input)
    {
        final TransportCounter verdict = input.feedTo(harness);
        if ("truncated".equals(input.kind()) && input.length() < input.source().knownEnd())
        {
            assertThat(verdict).as("cut inside its fields: %s", input).isNotNull();
        }
        else
        {
            assertThat(verdict).as("bytes after the last known field are a newer writer's: %s", input).isNull();
        }
    }

    @Test
    void corruptedHeaderLengthCountAndFieldValuesAreCountedOrRefused()
    {
        property(Gen.oneOf(FrameGenerators.headerCorrupted(), FrameGenerators.lengthsCorrupted(),
            FrameGenerators.fieldsCorrupted(), FrameGenerators.fragmented())).check(
            InboundFramePropertiesTest::corruptedIsCountedOrRefused);
    }

    private static void corruptedIsCountedOrRefused(final FuzzInput input)
    {
        final TransportCounter verdict = input.feedTo(harness);
        final byte[] bytes = input.bytes();
        if (!input.isUnfragmented())
        {
            assertThat(verdict).as("%s", input).isEqualTo(TransportCounter.MALFORMED_FRAGMENTED);
        }
        else if (Wire.u16(bytes, Wire.SCHEMA_ID_OFFSET) != Protocol.SCHEMA_ID)
        {
            assertThat(verdict).as("%s", input).isEqualTo(TransportCounter.MALFORMED_SCHEMA);
        }
        else if (0 == Wire.u16(bytes, Wire.VERSION_OFFSET))
        {
            assertThat(verdict).as("%s", input).isEqualTo(TransportCounter.MALFORMED_VERSION);
        }
    }

    @Test
    void randomAndSplicedBytesAreHandledOnceOrCountedAndChangeNothing()
    {
        property(Gen.oneOf(FrameGenerators.random(), FrameGenerators.spliced()))
            .check((input) -> input.feedTo(harness));
    }

    /**
     * The Jazzer seed corpus on disk holds {@link SeedCorpus#seeds()} as they are built today;
     * {@code -Dacktracker.fuzz.writeSeeds=true} rewrites them. Other files there are Jazzer's findings (kept as
     * regression inputs once fixed) and are left alone.
     */
    @Test
    void jazzerSeedCorpusIsUpToDate() throws IOException
    {
        final Path dir = Paths.get(SeedCorpus.DIRECTORY);
        final Map<String, byte[]> seeds = SeedCorpus.seeds();
        if (Boolean.getBoolean("acktracker.fuzz.writeSeeds"))
        {
            Files.createDirectories(dir);
            for (final Map.Entry<String, byte[]> seed : seeds.entrySet())
            {
                Files.write(dir.resolve(seed.getKey()), seed.getValue());
            }
        }
        try (Stream<Path> files = Files.list(dir))
        {
            assertThat(files.map((file) -> file.getFileName().toString())).containsAll(seeds.keySet());
        }
        for (final Map.Entry<String, byte[]> seed : seeds.entrySet())
        {
            assertThat(Files.readAllBytes(dir.resolve(seed.getKey()))).as(seed.getKey()).isEqualTo(seed.getValue());
        }
    }
}
