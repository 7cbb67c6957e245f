package io.acktracker.engine.api;

/**
 * A tracker could not start or an operation could not run, with a message meant for a person.
 */
public class TrackerException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * With a message.
     *
     * @param message what went wrong and what to do.
     */
    public TrackerException(final String message)
    {
        super(message);
    }

    /**
     * With a message and a cause.
     *
     * @param message what went wrong and what to do.
     * @param cause   underlying error.
     */
    public TrackerException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
