package health.consent.service.ops;

import io.micronaut.core.io.ResourceLoader;
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
 * The class path's resources as the framework reads them (its configuration files, the patients'
 * and regulators' pages, the API's description), with a file in a jar found through the class
 * loader's own jar rather than through a zip file system made for it.
 *
 * <p>The framework's loader opens the jar as a zip file system to tell a file from a folder before
 * it reads or serves one: the packaged jar's whole central directory (some 18,500 entries) parsed
 * again and made into a tree, 25 ms for {@code application.yml} at every start, and 10 to 40 ms for
 * each static file the first time it is asked for. Here the entry the class loader found tells it
 * (the JDK shares one parsed directory between every reader of the jar). Anything else (a file on
 * disk, a path with {@code ..} or another prefix than {@code classpath:}, a jar within a jar, a jar
 * that cannot be read) is answered by the framework's loader, as before.
 */
public final class JarResources extends DefaultClassPathResourceLoader {

    private static final String PREFIX = "classpath:";

    /** The folder the paths are taken in: empty, or a name ending with a slash. */
    private final String base;

    public JarResources(ClassLoader loader) {
        this(loader, null);
    }

    private JarResources(ClassLoader loader, String basePath) {
        super(loader, basePath);
        String base = basePath == null ? "" : withoutPrefix(basePath);
        base = base.startsWith("/") ? base.substring(1) : base;
        this.base = base.isEmpty() || base.endsWith("/") ? base : base + "/";
    }

    private static String withoutPrefix(String path) {
        return path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : path;
    }

    @Override
    public ResourceLoader forBase(String basePath) {
        return new JarResources(getClassLoader(), basePath);
    }

    @Override
    public Optional<InputStream> getResourceAsStream(String path) {
        Optional<InputStream> found = inJar(path, (jar, entry, url) -> {
            try (InputStream in = jar.getInputStream(entry)) {
                return new ByteArrayInputStream(in.readAllBytes());
            }
        });
        return found != null ? found : super.getResourceAsStream(path);
    }

    @Override
    public Optional<URL> getResource(String path) {
        Optional<URL> found = inJar(path, (jar, entry, url) -> url);
        return found != null ? found : super.getResource(path);
    }

    /** What is made of a file found in a jar, while the jar is open. */
    @FunctionalInterface
    private interface Read<T> {
        T apply(JarFile jar, JarEntry entry, URL url) throws IOException;
    }

    /**
     * The file {@code path} names in a jar of the class path, read by {@code read}; empty when
     * nothing or a folder has that name (a folder is no resource, as the framework's loader
     * answers); null when the framework's loader is to answer.
     */
    private <T> Optional<T> inJar(String path, Read<T> read) {
        // As the framework's loader takes a path: without its prefix, and, in a base folder, its first slash.
        String name = withoutPrefix(path);
        name = !base.isEmpty() && name.startsWith("/") ? name.substring(1) : name;
        if (name.isEmpty() || name.startsWith("/") || name.contains(":") || name.contains("..") || name.contains("\\")) {
            return null;
        }
        URL url = getClassLoader().getResource(base + name);
        if (url == null) {
            return Optional.empty();
        }
        String file = url.getFile();
        if (!"jar".equals(url.getProtocol()) || file.indexOf("!/") != file.lastIndexOf("!/")) {
            return null;
        }
        try {
            URLConnection connection = url.openConnection();
            if (!(connection instanceof JarURLConnection entry)) {
                return null;
            }
            // A jar of its own, closed once read (the JDK shares the parsed directory with the class
            // loader's), rather than one kept open in the JDK's cache for the life of the process.
            entry.setUseCaches(false);
            try (JarFile jar = entry.getJarFile()) {
                JarEntry found = jar.getJarEntry(entry.getEntryName());
                return found == null || found.isDirectory() ? Optional.empty() : Optional.of(read.apply(jar, found, url));
            }
        } catch (IOException e) {
            // As the framework's loader does with a jar it cannot read: its own way, and its own answer.
            return null;
        }
    }
}
