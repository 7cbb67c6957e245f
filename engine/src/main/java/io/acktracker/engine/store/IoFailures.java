package io.acktracker.engine.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a file operation failed, in words: the JDK's file exceptions carry only the path as their message
 * ({@code NoSuchFileException: /proc/x}), which read alone says nothing.
 * <p>
 * Threading: any thread; stateless.
 */
public final class IoFailures
{
    private IoFailures()
    {
    }

    /**
     * The reason of a failed file operation, for a message that already names the path.
     *
     * @param ex the failure.
     * @return e.g. "permission denied", "no such file or directory: /a/b", or the exception's own message.
     */
    public static String why(final IOException ex)
    {
        final String other = ex instanceof FileSystemException fs && null != fs.getOtherFile() ?
            " (" + fs.getOtherFile() + ")" : "";
        if (ex instanceof AccessDeniedException)
        {
            return "permission denied" + other;
        }
        if (ex instanceof NoSuchFileException)
        {
            return "no such file or directory" + other;
        }
        if (ex instanceof NotDirectoryException)
        {
            return "not a directory" + other;
        }
        if (ex instanceof FileAlreadyExistsException)
        {
            return "a file of that name is in the way" + other;
        }
        if (ex instanceof FileSystemException fs && null != fs.getReason())
        {
            return fs.getReason() + other;
        }
        return null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage();
    }
}
