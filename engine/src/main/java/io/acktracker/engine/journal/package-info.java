/**
 * The command journal: every command the state machine applies, appended in order to mapped segment files, so
 * recovery is the latest checkpoint plus a replay of the journal from the checkpoint's position.
 * <ul>
 *     <li>{@link io.acktracker.engine.journal.JournalFrameDescriptor}: the frame layout (header, checksum, padding);</li>
 *     <li>{@link io.acktracker.engine.journal.JournalReader}: recovery, before the agent starts (any one thread):
 *     checks the segments, replays frames, finds the end (and a torn tail) as a
 *     {@link io.acktracker.engine.journal.JournalEnd};</li>
 *     <li>{@link io.acktracker.engine.journal.Journal}: opens at that end and composes the parts;</li>
 *     <li>{@link io.acktracker.engine.journal.JournalAppender}: the agent thread's writer;</li>
 *     <li>{@link io.acktracker.engine.journal.JournalHelperAgent}: the helper thread ({@code acktracker-journal}):
 *     segment preparation, group commit, retirement, deletion;</li>
 *     <li>{@link io.acktracker.engine.journal.JournalStatus}, {@link io.acktracker.engine.journal.JournalCounters}:
 *     what the owner reads from any thread.</li>
 * </ul>
 * What a crash loses is in {@link io.acktracker.engine.journal.JournalConfig#syncIntervalNs(long)}.
 */
package io.acktracker.engine.journal;
