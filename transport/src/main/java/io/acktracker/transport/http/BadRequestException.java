package io.acktracker.transport.http;

/**
 * A request the edge refuses with a 4xx status (or 503 when the tracker or the edge cannot take it now) and a
 * one-line JSON error, optionally with one response header ({@code Allow} on a 405); nothing was changed by the edge.
 */
final class BadRequestException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String headerName;
    private final String headerValue;

    BadRequestException(final String message)
    {
        this(400, message);
    }

    BadRequestException(final int status, final String message)
    {
        this(status, message, null, null);
    }

    BadRequestException(final int status, final String message, final String headerName, final String headerValue)
    {
        super(message, null, false, false);
        this.status = status;
        this.headerName = headerName;
        this.headerValue = headerValue;
    }

    int status()
    {
        return status;
    }

    /**
     * The refusal as a response.
     *
     * @return a one-line JSON error with the header, if any.
     */
    HttpResponse response()
    {
        final HttpResponse response = HttpResponse.error(status, getMessage());
        return null == headerName ? response : response.withHeader(headerName, headerValue);
    }
}
