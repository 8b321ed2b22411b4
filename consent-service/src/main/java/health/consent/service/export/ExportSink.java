package health.consent.service.export;

import java.io.IOException;

/**
 * Where the export's document is written, one piece at a time: a named value, or a named array whose
 * elements come one by one. The web layer writes it as JSON.
 */
public interface ExportSink {

    void value(String name, Object value) throws IOException;

    void beginArray(String name) throws IOException;

    void element(Object value) throws IOException;

    void endArray() throws IOException;

    /** The document is complete. */
    void end() throws IOException;
}
