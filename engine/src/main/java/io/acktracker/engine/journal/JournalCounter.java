package io.acktracker.engine.journal;

/**
 * The journal's counters, each written by one thread (named here) and readable from any.
 * <p>
 * Threading: constants; any thread.
 */
public enum JournalCounter
{
    /** Appends refused because the next segment was not prepared yet (back pressure). Appender. */
    REFUSED_NEXT_SEGMENT_NOT_READY("journal appends refused: next segment not ready"),
    /** Appends refused because the frame is longer than the configured maximum. Appender. */
    REFUSED_FRAME_TOO_LONG("journal appends refused: frame too long"),
    /** Appends refused because the type is the reserved padding type. Appender. */
    REFUSED_INVALID_TYPE("journal appends refused: reserved type"),
    /** Segments the appender moved on to. Appender. */
    SEGMENT_ROLLS("journal segment rolls"),
    /** Segments prepared and handed to the appender. Helper. */
    SEGMENTS_PREPARED("journal segments prepared"),
    /** Segment preparations that failed (disk full, I/O error) and will be retried. Helper. */
    PREPARATION_FAILURES("journal segment preparation failures"),
    /** Group commits that msynced something. Helper. */
    SYNCS("journal syncs"),
    /** Segments unmapped after the appender left them. Helper. */
    SEGMENTS_RETIRED("journal segments retired"),
    /** Segment files deleted on request. Helper. */
    SEGMENTS_DELETED("journal segments deleted"),
    /** Segment files whose deletion failed (left for the next request). Helper. */
    DELETE_FAILURES("journal segment delete failures");

    private final String label;

    JournalCounter(final String label)
    {
        this.label = label;
    }

    /**
     * @return a label for tools and metrics.
     */
    public String label()
    {
        return label;
    }
}
