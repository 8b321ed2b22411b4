package health.consent.service.ops;

import io.micronaut.core.io.scan.DefaultClassPathResourceLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.util.Optional;

/**
 * The class path's resources as the framework's environment reads them ({@code application.yml}
 * and its siblings), with a file in a jar read through the class loader's own jar rather than
 * through a zip file system made for it.
 *
 * <p>The framework's loader opens the jar as a zip file system to tell a file from a folder before
 * it reads {@code application.yml}: the packaged jar's whole central directory (some 18,500
 * entries) parsed again and made into a tree, 25 ms of every start. Here the entry the class loader
 * found tells it (the JDK shares one parsed directory between every reader of the jar). Anything
 * else (a file on disk, a path with a prefix, a base or {@code ..}, a jar within a jar) is read by
 * the framework's loader, as before.
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
            // A folder is no resource, as the framework's loader answers.
            if (entry.getJarEntry().isDirectory()) {
                return Optional.empty();
            }
            try (InputStream in = entry.getInputStream()) {
                return Optional.of(new ByteArrayInputStream(in.readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        }
    }
}
