package io.acktracker.transport;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.Result;
import io.acktracker.transport.codecs.FailureReasonCode;
import io.acktracker.transport.codecs.OutcomeCode;
import io.acktracker.transport.codecs.RefusalCode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every outcome and failure reason the engine has crosses the wire and comes back as itself; every refusal has a
 * wire code of its own.
 */
class WireCodesTest
{
    @Test
    void shouldRoundTripEveryOutcomeAndReasonAndNameEveryRefusal()
    {
        for (final Outcome outcome : Outcome.values())
        {
            final OutcomeCode code = WireCodes.outcomeCode(outcome);
            assertThat(code).as(outcome.name()).isNotEqualTo(OutcomeCode.NULL_VAL);
            assertThat(WireCodes.outcome(code.value())).isEqualTo(outcome);
        }
        for (final FailureReason reason : FailureReason.values())
        {
            final FailureReasonCode code = WireCodes.reasonCode(reason);
            assertThat(code).as(reason.name()).isNotEqualTo(FailureReasonCode.NULL_VAL);
            assertThat(WireCodes.reason(code.value())).isEqualTo(reason);
        }
        for (final Result result : Result.values())
        {
            if (result.isRefusal())
            {
                final RefusalCode code = WireCodes.refusalCode(result);
                assertThat(code).as(result.name()).isNotEqualTo(RefusalCode.OTHER);
                assertThat(WireCodes.refusal(code.value())).isEqualTo(code);
            }
        }
        assertThat(WireCodes.outcome(250)).isNull();
        assertThat(WireCodes.reason(250)).isEqualTo(FailureReason.NONE);
    }
}
