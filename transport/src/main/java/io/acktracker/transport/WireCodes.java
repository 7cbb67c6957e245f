package io.acktracker.transport;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.Result;
import io.acktracker.transport.codecs.FailureReasonCode;
import io.acktracker.transport.codecs.OutcomeCode;
import io.acktracker.transport.codecs.RefusalCode;

/**
 * The one mapping between the engine's enums and the wire's codes, both ways: outcomes, failure reasons and
 * refusals. Engine values map to wire values by name, so a value the engine adds before the schema does maps to a
 * fallback (a null outcome code, reason NONE, refusal OTHER) instead of breaking the transport; a wire value this
 * side does not know maps to null (outcome), NONE (reason) or null (refusal). Tables built once; lookups allocate
 * nothing.
 * <p>
 * Threading: any thread (immutable).
 */
public final class WireCodes
{
    private static final OutcomeCode[] OUTCOME_CODES = new OutcomeCode[Outcome.values().length];
    private static final FailureReasonCode[] REASON_CODES = new FailureReasonCode[FailureReason.values().length];
    private static final RefusalCode[] REFUSAL_CODES = new RefusalCode[Result.values().length];
    private static final Outcome[] OUTCOMES = new Outcome[256];
    private static final FailureReason[] REASONS = new FailureReason[256];
    private static final RefusalCode[] REFUSALS = new RefusalCode[256];

    static
    {
        for (final Outcome outcome : Outcome.values())
        {
            final OutcomeCode code = byName(OutcomeCode.values(), outcome.name(), OutcomeCode.NULL_VAL);
            OUTCOME_CODES[outcome.ordinal()] = code;
            if (OutcomeCode.NULL_VAL != code)
            {
                OUTCOMES[code.value()] = outcome;
            }
        }
        java.util.Arrays.fill(REASONS, FailureReason.NONE);
        for (final FailureReason reason : FailureReason.values())
        {
            final FailureReasonCode code = byName(FailureReasonCode.values(), reason.name(), FailureReasonCode.NULL_VAL);
            REASON_CODES[reason.ordinal()] = code;
            if (FailureReasonCode.NULL_VAL != code)
            {
                REASONS[code.value()] = reason;
            }
        }
        for (final Result result : Result.values())
        {
            REFUSAL_CODES[result.ordinal()] = byName(RefusalCode.values(), result.name(), RefusalCode.OTHER);
        }
        for (final RefusalCode code : RefusalCode.values())
        {
            if (RefusalCode.NULL_VAL != code)
            {
                REFUSALS[code.value()] = code;
            }
        }
    }

    private WireCodes()
    {
    }

    /**
     * @param outcome an engine outcome.
     * @return its wire code.
     */
    public static OutcomeCode outcomeCode(final Outcome outcome)
    {
        return OUTCOME_CODES[outcome.ordinal()];
    }

    /**
     * @param value a wire outcome code's raw value.
     * @return the engine's outcome, or null for a code this side does not know.
     */
    public static Outcome outcome(final int value)
    {
        return OUTCOMES[value & 0xFF];
    }

    /**
     * @param reason an engine failure reason.
     * @return its wire code.
     */
    public static FailureReasonCode reasonCode(final FailureReason reason)
    {
        return REASON_CODES[reason.ordinal()];
    }

    /**
     * @param value a wire reason code's raw value.
     * @return the engine's reason, NONE for a code this side does not know.
     */
    public static FailureReason reason(final int value)
    {
        return REASONS[value & 0xFF];
    }

    /**
     * @param result an engine result (a refusal).
     * @return its wire refusal code, OTHER when the wire has none.
     */
    public static RefusalCode refusalCode(final Result result)
    {
        return REFUSAL_CODES[result.ordinal()];
    }

    /**
     * @param value a wire refusal code's raw value.
     * @return the code, or null for a value this side does not know.
     */
    public static RefusalCode refusal(final int value)
    {
        return REFUSALS[value & 0xFF];
    }

    private static <E extends Enum<E>> E byName(final E[] values, final String name, final E fallback)
    {
        for (final E value : values)
        {
            if (value.name().equals(name))
            {
                return value;
            }
        }
        return fallback;
    }
}
