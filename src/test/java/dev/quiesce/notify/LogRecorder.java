package dev.quiesce.notify;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what a logger category writes at WARNING and above, formatted, while open. */
final class LogRecorder extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<String> warnings = new ArrayList<>();

    private LogRecorder(String category) {
        this.logger = Logger.getLogger(category);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    static LogRecorder of(Class<?> type) {
        return new LogRecorder(type.getName());
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(new java.util.logging.SimpleFormatter().formatMessage(record));
        }
    }

    synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
