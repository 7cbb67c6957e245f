package io.acktracker.transport.http;

import java.util.Locale;

/**
 * A {@code Host} header (or a configured host name) taken apart: the host in lower case (an IPv6 literal without
 * its brackets) and the port, or the scheme's default when none is given. Nothing is looked up: names stay names.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param host lower-case host name or address literal.
 * @param port the port, or the default given to {@link #parse}.
 */
record HostHeader(String host, int port)
{
    /**
     * Parse {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}.
     *
     * @param value       the text.
     * @param defaultPort port when none is given.
     * @return the parts, or null when malformed.
     */
    static HostHeader parse(final String value, final int defaultPort)
    {
        if (null == value)
        {
            return null;
        }
        final String text = value.strip().toLowerCase(Locale.ROOT);
        final String host;
        final String port;
        if (text.startsWith("["))
        {
            final int close = text.indexOf(']');
            if (close < 2)
            {
                return null;
            }
            host = text.substring(1, close);
            final String rest = text.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":"))
            {
                return null;
            }
            port = rest.isEmpty() ? null : rest.substring(1);
        }
        else
        {
            final int colon = text.indexOf(':');
            if (colon != text.lastIndexOf(':'))
            {
                return null;
            }
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isEmpty() || !isHostText(host))
        {
            return null;
        }
        if (null == port)
        {
            return new HostHeader(host, defaultPort);
        }
        try
        {
            final int number = Integer.parseInt(port);
            return number >= 0 && number <= 65_535 && !port.startsWith("+") ? new HostHeader(host, number) : null;
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    private static boolean isHostText(final String host)
    {
        for (int i = 0; i < host.length(); i++)
        {
            final char c = host.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '_'))
            {
                return false;
            }
        }
        return true;
    }
}
