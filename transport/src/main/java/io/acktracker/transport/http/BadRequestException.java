package io.acktracker.transport.http;

/**
 * A request the edge refuses with a 4xx status and a one-line JSON error; nothing was changed.
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
