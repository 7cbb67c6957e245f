package io.acktracker.transport.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the HTTP edge needs, with no library: a strict parser for request bodies (objects, arrays,
 * strings, integers, booleans, null; duplicate keys, trailing text and deep nesting refused) and escaping for the
 * responses it writes by hand. Integers parse to {@link Long}; a number with a fraction or exponent is refused,
 * since no request field takes one.
 * <p>
 * Threading: any thread; stateless.
 */
final class Json
{
    private static final int MAX_DEPTH = 8;

    private final String text;
    private int position;

    private Json(final String text)
    {
        this.text = text;
    }

    /**
     * Parse a JSON object.
     *
     * @param text the body.
     * @return its members in order.
     * @throws BadRequestException when it is not one well-formed object.
     */
    static Map<String, Object> parseObject(final String text)
    {
        final Json parser = new Json(text);
        parser.skipWhitespace();
        if (parser.peek() != '{')
        {
            throw new BadRequestException("body must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> object = (Map<String, Object>)parser.value(0);
        parser.skipWhitespace();
        if (parser.position != text.length())
        {
            throw parser.error("unexpected text after the object");
        }
        return object;
    }

    /**
     * Quote and escape a string for a JSON document.
     *
     * @param value text.
     * @return the JSON string literal.
     */
    static String quote(final String value)
    {
        final StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }

    private Object value(final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            throw error("nested too deeply");
        }
        skipWhitespace();
        final char c = peek();
        switch (c)
        {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return number();
                }
                throw error("unexpected " + (c == 0 ? "end of body" : "'" + c + "'"));
        }
    }

    private Map<String, Object> object(final int depth)
    {
        final Map<String, Object> members = new LinkedHashMap<>();
        position++;
        skipWhitespace();
        if (peek() == '}')
        {
            position++;
            return members;
        }
        while (true)
        {
            skipWhitespace();
            if (peek() != '"')
            {
                throw error("expected a member name");
            }
            final String name = string();
            skipWhitespace();
            expect(':');
            final Object value = value(depth + 1);
            if (members.containsKey(name))
            {
                throw error("duplicate member '" + name + "'");
            }
            members.put(name, value);
            skipWhitespace();
            if (peek() == ',')
            {
                position++;
            }
            else
            {
                expect('}');
                return members;
            }
        }
    }

    private List<Object> array(final int depth)
    {
        final List<Object> items = new ArrayList<>();
        position++;
        skipWhitespace();
        if (peek() == ']')
        {
            position++;
            return items;
        }
        while (true)
        {
            items.add(value(depth + 1));
            skipWhitespace();
            if (peek() == ',')
            {
                position++;
            }
            else
            {
                expect(']');
                return items;
            }
        }
    }

    private String string()
    {
        position++;
        final StringBuilder out = new StringBuilder();
        while (position < text.length())
        {
            final char c = text.charAt(position++);
            if (c == '"')
            {
                return out.toString();
            }
            if (c < 0x20)
            {
                throw error("control character in a string");
            }
            if (c != '\\')
            {
                out.append(c);
                continue;
            }
            if (position >= text.length())
            {
                break;
            }
            final char escape = text.charAt(position++);
            switch (escape)
            {
                case '"':
                case '\\':
                case '/':
                    out.append(escape);
                    break;
                case 'b':
                    out.append('\b');
                    break;
                case 'f':
                    out.append('\f');
                    break;
                case 'n':
                    out.append('\n');
                    break;
                case 'r':
                    out.append('\r');
                    break;
                case 't':
                    out.append('\t');
                    break;
                case 'u':
                    if (position + 4 > text.length())
                    {
                        throw error("short \\u escape");
                    }
                    try
                    {
                        out.append((char)Integer.parseInt(text.substring(position, position + 4), 16));
                    }
                    catch (final NumberFormatException ex)
                    {
                        throw error("bad \\u escape");
                    }
                    position += 4;
                    break;
                default:
                    throw error("bad escape \\" + escape);
            }
        }
        throw error("unterminated string");
    }

    private Long number()
    {
        final int start = position;
        if (peek() == '-')
        {
            position++;
        }
        while (position < text.length() && Character.isDigit(text.charAt(position)))
        {
            position++;
        }
        final char next = peek();
        if (next == '.' || next == 'e' || next == 'E')
        {
            throw error("numbers must be integers");
        }
        try
        {
            return Long.parseLong(text.substring(start, position));
        }
        catch (final NumberFormatException ex)
        {
            throw error("bad or too large integer");
        }
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, position))
        {
            throw error("unexpected token");
        }
        position += word.length();
        return value;
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error("expected '" + c + "'");
        }
        position++;
    }

    private char peek()
    {
        return position < text.length() ? text.charAt(position) : 0;
    }

    private void skipWhitespace()
    {
        while (position < text.length() && Character.isWhitespace(text.charAt(position)))
        {
            position++;
        }
    }

    private BadRequestException error(final String message)
    {
        return new BadRequestException("malformed JSON at offset " + position + ": " + message);
    }
}
