package dev.quiesce.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what a logger category writes, formatted, while open. {@link #expecting} also keeps it off
 * the console: for a test that provokes an error on purpose, so that a passing build's log shows no
 * ERROR a reader would take for a failure (the test asserts the line instead).
 */
public final class LogRecorder extends Handler implements AutoCloseable {

    private final Logger logger;
    private final boolean parentsBefore;
    private final List<LogRecord> records = new ArrayList<>();

    private LogRecorder(String category, boolean quiet) {
        this.logger = Logger.getLogger(category);
        this.parentsBefore = logger.getUseParentHandlers();
        setLevel(Level.ALL);
        logger.addHandler(this);
        if (quiet) {
            logger.setUseParentHandlers(false);
        }
    }

    private LogRecorder(String category) {
        this(category, false);
    }

    /** Records {@code type}'s category and keeps what it logs off the console while open. */
    public static LogRecorder expecting(Class<?> type) {
        return new LogRecorder(type.getName(), true);
    }

    public static LogRecorder of(Class<?> type) {
        return new LogRecorder(type.getName());
    }

    /** Records a category by name (a library's, say, whose classes the test does not see). */
    public static LogRecorder of(String category) {
        return new LogRecorder(category);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    /** The messages logged at {@code level} or above, formatted with their parameters. */
    public synchronized List<String> messages(Level level) {
        List<String> messages = new ArrayList<>();
        for (LogRecord record : records) {
            if (record.getLevel().intValue() >= level.intValue()) {
                messages.add(format(record));
            }
        }
        return messages;
    }

    /**
     * What was logged at {@code level} or above, one {@code <category> <LEVEL> <message>} per record:
     * for a recorder of the root category ({@code of("")}), which sees every category.
     */
    public synchronized List<String> lines(Level level) {
        List<String> lines = new ArrayList<>();
        for (LogRecord record : records) {
            if (record.getLevel().intValue() >= level.intValue()) {
                lines.add(record.getLoggerName() + " " + record.getLevel().getName() + " " + format(record));
            }
        }
        return lines;
    }

    /** Everything logged, one message per element. */
    public List<String> all() {
        return messages(Level.ALL);
    }

    private static String format(LogRecord record) {
        return new java.util.logging.SimpleFormatter().formatMessage(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(parentsBefore);
    }
}
