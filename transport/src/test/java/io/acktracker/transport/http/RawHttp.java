package io.acktracker.transport.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One raw TCP connection to an edge on loopback, for what a polite client cannot send: a forged Host, a request
 * that stops half way, many requests on one kept-alive connection. Reads are bounded by the socket's timeout.
 * <p>
 * Threading: one thread per connection.
 */
final class RawHttp implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;

    /**
     * A parsed response.
     *
     * @param status  status code.
     * @param headers headers, names in lower case.
     * @param body    the body.
     */
    record Response(int status, Map<String, String> headers, String body)
    {
    }

    RawHttp(final int port, final int readTimeoutMs) throws IOException
    {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(readTimeoutMs);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        in = socket.getInputStream();
    }

    RawHttp write(final String text) throws IOException
    {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    /**
     * Read one response (status line, headers, a body of Content-Length bytes; none for HEAD).
     *
     * @param head whether it answers a HEAD.
     * @return the response.
     * @throws IOException on a timeout or a closed connection.
     */
    Response read(final boolean head) throws IOException
    {
        final String statusLine = line();
        final Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while (!(line = line()).isEmpty())
        {
            final int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        final int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        final byte[] body = in.readNBytes(length);
        if (body.length < length)
        {
            throw new IOException("connection closed in the body");
        }
        return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers,
            new String(body, StandardCharsets.UTF_8));
    }

    /**
     * Whether the server closed the connection (end of stream or reset) before the socket's timeout.
     *
     * @return true when closed, false on a timeout.
     */
    boolean awaitClosed()
    {
        try
        {
            while (in.read() >= 0)
            {
                // discard whatever the server sent first
            }
            return true;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    private String line() throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0)
        {
            if ('\n' == b)
            {
                final String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        throw new IOException("connection closed");
    }

    void soTimeout(final int millis) throws IOException
    {
        socket.setSoTimeout(millis);
    }

    public void close() throws IOException
    {
        socket.close();
    }
}
