package io.acktracker.transport.fuzz;

import io.acktracker.transport.TransportCounter;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decoder fuzzing, quick version (default run): 100,000 jqwik-generated inputs over five properties into
 * {@code CommandAdapter.onFragment} wired to the real engine. {@link InboundHarness#feed} checks the inbound
 * contract for every input (no exception, malformed frames counted and changing nothing, well-formed frames handled
 * exactly once, agreement with the independent {@link FrameOracle}); the properties add what each mutation makes
 * certain. One tracker serves the whole class, so state built by earlier inputs (bound sessions, tracked, acked,
 * leased and dead-lettered messages) is what later inputs meet.
 */
class InboundFramePropertiesTest
{
    private static final FuzzStats STATS = new FuzzStats("decoder fuzzing, jqwik quick run");
    private static InboundHarness harness;

    @BeforeContainer
    static void open()
    {
        harness = InboundHarness.open(STATS);
    }

    @AfterContainer
    static void close()
    {
        final String summary = harness.summary();
        final long malformed = harness.transportCounter(TransportCounter.MALFORMED_FRAMES);
        harness.close();
        System.out.println(STATS.report(summary));
        assertThat(malformed).isEqualTo(STATS.malformedTotal());
    }

    @Property(tries = 20_000)
    void everyValidFrameOfEveryTemplateAndVersionIsHandledOnce(@ForAll("valid") final FuzzInput input)
    {
        assertThat(input.feedTo(harness)).as("%s", input).isNull();
    }

    @Property(tries = 20_000)
    void bitFlippedFramesAreHandledOnceOrCountedAndChangeNothing(@ForAll("bitFlipped") final FuzzInput input)
    {
        input.feedTo(harness);
    }

    @Property(tries = 20_000)
    void truncatedFramesAreMalformedAndAppendedBytesAreSkipped(@ForAll("truncatedOrAppended") final FuzzInput input)
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

    @Property(tries = 20_000)
    void corruptedHeaderLengthCountAndFieldValuesAreCountedOrRefused(@ForAll("corrupted") final FuzzInput input)
    {
        final TransportCounter verdict = input.feedTo(harness);
        final byte[] bytes = input.bytes();
        if (!input.isUnfragmented())
        {
            assertThat(verdict).as("%s", input).isEqualTo(TransportCounter.MALFORMED_FRAGMENTED);
        }
        else if (Wire.u16(bytes, Wire.SCHEMA_ID_OFFSET) != io.acktracker.transport.Protocol.SCHEMA_ID)
        {
            assertThat(verdict).as("%s", input).isEqualTo(TransportCounter.MALFORMED_SCHEMA);
        }
        else if (0 == Wire.u16(bytes, Wire.VERSION_OFFSET))
        {
            assertThat(verdict).as("%s", input).isEqualTo(TransportCounter.MALFORMED_VERSION);
        }
    }

    @Property(tries = 20_000)
    void randomAndSplicedBytesAreHandledOnceOrCountedAndChangeNothing(@ForAll("garbage") final FuzzInput input)
    {
        input.feedTo(harness);
    }

    /**
     * The Jazzer seed corpus on disk holds {@link SeedCorpus#seeds()} as they are built today;
     * {@code -Dacktracker.fuzz.writeSeeds=true} rewrites them. Other files there are Jazzer's findings (kept as
     * regression inputs once fixed) and are left alone.
     */
    @Example
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

    @Provide
    Arbitrary<FuzzInput> valid()
    {
        return FrameArbitraries.valid();
    }

    @Provide
    Arbitrary<FuzzInput> bitFlipped()
    {
        return FrameArbitraries.bitFlipped();
    }

    @Provide
    Arbitrary<FuzzInput> truncatedOrAppended()
    {
        return net.jqwik.api.Arbitraries.oneOf(FrameArbitraries.truncated(), FrameArbitraries.appended());
    }

    @Provide
    Arbitrary<FuzzInput> corrupted()
    {
        return net.jqwik.api.Arbitraries.oneOf(FrameArbitraries.headerCorrupted(),
            FrameArbitraries.lengthsCorrupted(), FrameArbitraries.fieldsCorrupted(), FrameArbitraries.fragmented());
    }

    @Provide
    Arbitrary<FuzzInput> garbage()
    {
        return net.jqwik.api.Arbitraries.oneOf(FrameArbitraries.random(), FrameArbitraries.spliced());
    }
}
