package io.acktracker.transport.http;

/**
 * A request the edge refuses with a 4xx status (or 503 when the tracker cannot take it now) and a one-line JSON
 * error; nothing was changed by the edge.
 */
final class BadRequestException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;

    BadRequestException(final String message)
    {
        this(400, message);
    }

    BadRequestException(final int status, final String message)
    {
        super(message, null, false, false);
        this.status = status;
    }

    int status()
    {
        return status;
    }
}
