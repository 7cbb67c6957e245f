package io.acktracker.transport.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON the HTTP edge needs: request bodies read with Jackson's streaming parser straight into maps, lists,
 * strings, {@link Long}s, booleans and nulls (no tree in between: a 150-byte Track body allocates ~1.7 KB, as the
 * hand-written parser it replaced did, measured with the thread's allocation counter), strictly: duplicate members (Jackson's strict duplicate detection), trailing text, nesting deeper
 * than {@value #MAX_DEPTH} and numbers with a fraction or exponent (no request field takes one) are refused; and
 * escaping for the responses the edge writes by hand. Off the agent's path: it runs on the HTTP workers.
 * <p>
 * Threading: any thread; the factory is thread-safe, each parse has its own parser.
 */
final class Json
{
    private static final int MAX_DEPTH = 8;

    private static final JsonFactory FACTORY = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
        .build();

    private Json()
    {
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
        try (JsonParser parser = FACTORY.createParser(text))
        {
            final JsonToken first = parser.nextToken();
            if (JsonToken.START_OBJECT != first)
            {
                throw new BadRequestException("body must be a JSON object");
            }
            @SuppressWarnings("unchecked")
            final Map<String, Object> object = (Map<String, Object>)value(parser, first);
            if (null != parser.nextToken())
            {
                throw error(parser, "unexpected text after the object");
            }
            return object;
        }
        catch (final StreamConstraintsException ex)
        {
            throw new BadRequestException("malformed JSON: nested too deeply");
        }
        catch (final JsonProcessingException ex)
        {
            final String message = ex.getOriginalMessage();
            throw new BadRequestException("malformed JSON at offset " +
                (null == ex.getLocation() ? 0 : ex.getLocation().getCharOffset()) + ": " +
                (null == message ? "" : message.lines().findFirst().orElse("")));
        }
        catch (final IOException ex)
        {
            throw new BadRequestException("malformed JSON: " + ex.getMessage());
        }
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

    private static Object value(final JsonParser parser, final JsonToken token) throws IOException
    {
        if (null == token)
        {
            throw error(parser, "unexpected end of body");
        }
        switch (token)
        {
            case START_OBJECT:
            {
                final Map<String, Object> members = new LinkedHashMap<>();
                while (JsonToken.FIELD_NAME == parser.nextToken())
                {
                    final String name = parser.currentName();
                    members.put(name, value(parser, parser.nextToken()));
                }
                if (JsonToken.END_OBJECT != parser.currentToken())
                {
                    throw error(parser, "expected a member name or '}'");
                }
                return members;
            }
            case START_ARRAY:
            {
                final List<Object> items = new ArrayList<>();
                for (JsonToken next = parser.nextToken(); JsonToken.END_ARRAY != next; next = parser.nextToken())
                {
                    items.add(value(parser, next));
                }
                return items;
            }
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
                if (JsonParser.NumberType.BIG_INTEGER == parser.getNumberType())
                {
                    throw error(parser, "bad or too large integer");
                }
                return parser.getLongValue();
            case VALUE_NUMBER_FLOAT:
                throw error(parser, "numbers must be integers");
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw error(parser, "unexpected " + token);
        }
    }

    private static BadRequestException error(final JsonParser parser, final String message)
    {
        return new BadRequestException("malformed JSON at offset " + parser.currentTokenLocation().getCharOffset() +
            ": " + message);
    }
}
