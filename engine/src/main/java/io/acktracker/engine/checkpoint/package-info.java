/**
 * Checkpoints of the journal store: the machine's exact state at a journal position, written to
 * {@code checkpoints/cp-<P>/} (the records as a Chronicle Map file, the rest as one image, a manifest with CRCs
 * last), found and checked at a start, which restores the newest valid one and replays the journal from P.
 */
package io.acktracker.engine.checkpoint;
