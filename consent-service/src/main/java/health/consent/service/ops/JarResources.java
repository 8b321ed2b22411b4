package health.consent.service.ops;

import io.micronaut.core.io.scan.DefaultClassPathResourceLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The class path's resources as the framework's environment reads them ({@code application.yml}
 * and its siblings), with a file in a jar read through the class loader's own jar rather than
 * through a zip file system made for it.
 *
 * <p>The framework's loader opens the jar as a zip file system to tell a file from a folder before
 * it reads {@code application.yml}: the packaged jar's whole central directory (some 18,500
 * entries) parsed again and made into a tree, 25 ms of every start. Here the entry the class loader
 * found tells it (the JDK shares one parsed directory between every reader of the jar). Anything
 * else (a file on disk, a path with a prefix, a base or {@code ..}, a jar within a jar, a jar that
 * cannot be read) is read by the framework's loader, as before.
 */
public final class JarResources extends DefaultClassPathResourceLoader {

    private final ClassLoader loader;

    public JarResources(ClassLoader loader) {
        super(loader);
        this.loader = loader;
    }

    @Override
    public Optional<InputStream> getResourceAsStream(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.contains(":") || path.contains("..") || path.contains("\\")) {
            return super.getResourceAsStream(path);
        }
        URL url = loader.getResource(path);
        if (url == null) {
            return Optional.empty();
        }
        String file = url.getFile();
        if (!"jar".equals(url.getProtocol()) || file.indexOf("!/") != file.lastIndexOf("!/")) {
            return super.getResourceAsStream(path);
        }
        try {
            URLConnection connection = url.openConnection();
            if (!(connection instanceof JarURLConnection entry)) {
                return super.getResourceAsStream(path);
            }
            // A jar of its own, closed once read (the JDK shares the parsed directory with the class
            // loader's), rather than one kept open in the JDK's cache for the life of the process.
            entry.setUseCaches(false);
            try (JarFile jar = entry.getJarFile()) {
                JarEntry found = jar.getJarEntry(entry.getEntryName());
                // A folder is no resource, as the framework's loader answers.
                if (found == null || found.isDirectory()) {
                    return Optional.empty();
                }
                try (InputStream in = jar.getInputStream(found)) {
                    return Optional.of(new ByteArrayInputStream(in.readAllBytes()));
                }
            }
        } catch (IOException e) {
            // As the framework's loader does with a jar it cannot read: its own way, and its own answer.
            return super.getResourceAsStream(path);
        }
    }
}
