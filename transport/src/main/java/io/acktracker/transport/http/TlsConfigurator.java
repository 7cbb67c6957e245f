package io.acktracker.transport.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * TLS for the HTTP edge from a keystore file (PKCS12 or JKS, the type found from the file), through the JDK's
 * {@code HttpsServer}: TLS 1.3 and 1.2 only, no client certificates.
 * <p>
 * Threading: built once on the thread that starts the edge; the JDK server calls {@link #configure} from its
 * workers.
 */
final class TlsConfigurator extends HttpsConfigurator
{
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsConfigurator(final SSLContext context)
    {
        super(context);
    }

    /**
     * Load a keystore.
     *
     * @param keystore its file.
     * @param password its password, also the key's.
     * @return the configurator.
     * @throws IllegalArgumentException naming {@code http.tls.keystore} (or its password) when it cannot be used.
     */
    static TlsConfigurator load(final Path keystore, final String password)
    {
        final char[] secret = password.toCharArray();
        try
        {
            final KeyStore store = KeyStore.getInstance(keystore.toFile(), secret);
            if (!hasKey(store))
            {
                throw new IllegalArgumentException("invalid http.tls.keystore='" + keystore + "': it holds no " +
                    "private key (the server's key and certificate chain)");
            }
            final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, secret);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return new TlsConfigurator(context);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("invalid http.tls.keystore='" + keystore + "': cannot read it (" +
                ex.getMessage() + "; is http.tls.keystore.password right?)", ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("invalid http.tls.keystore='" + keystore + "': " + ex.getMessage(),
                ex);
        }
    }

    private static boolean hasKey(final KeyStore store) throws GeneralSecurityException
    {
        for (final String alias : java.util.Collections.list(store.aliases()))
        {
            if (store.isKeyEntry(alias))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void configure(final HttpsParameters params)
    {
        final SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
        parameters.setProtocols(PROTOCOLS.clone());
        parameters.setNeedClientAuth(false);
        params.setSSLParameters(parameters);
    }
}
