package health.consent.service.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micronaut.core.io.ResourceLoader;
import io.micronaut.core.io.scan.DefaultClassPathResourceLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class path's resources as {@link JarResources} reads them: what the framework's own loader
 * reads, from a jar and from a folder alike.
 */
class JarResourcesTest {

    @TempDir
    Path folder;

    /** The paths the two loaders are asked for: files, folders (with and without their slash), absent ones, prefixed ones. */
    private static final List<String> PATHS = List.of("application.yml", "application-dev.yml", "public", "public/",
            "public/index.html", "conf", "conf/", "missing.yml", "missing", "classpath:application.yml",
            "/application.yml", "public/../application.yml", "");

    private static Optional<String> text(Optional<InputStream> in) {
        return in.map(stream -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private Path jar() throws IOException {
        Path jar = folder.resolve("service.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
            for (String[] entry : new String[][] {{"application.yml", "micronaut:\n  application:\n    name: from-the-jar\n"},
                    {"public/", ""}, {"public/index.html", "<!doctype html>"}, {"conf/", ""}}) {
                zip.putNextEntry(new JarEntry(entry[0]));
                zip.write(entry[1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }

    private Path classFolder() throws IOException {
        Path classes = folder.resolve("classes");
        Files.createDirectories(classes.resolve("public"));
        Files.createDirectories(classes.resolve("conf"));
        Files.writeString(classes.resolve("application.yml"), "micronaut:\n  application:\n    name: from-a-folder\n");
        Files.writeString(classes.resolve("public/index.html"), "<!doctype html>");
        return classes;
    }

    private static void readsAsTheFrameworksOwnLoader(Path classPath) throws IOException {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classPath.toUri().toURL()}, null)) {
            JarResources resources = new JarResources(loader);
            DefaultClassPathResourceLoader framework = new DefaultClassPathResourceLoader(loader);
            for (String path : PATHS) {
                assertEquals(text(framework.getResourceAsStream(path)), text(resources.getResourceAsStream(path)), path);
                assertEquals(framework.getResource(path).map(URL::toString), resources.getResource(path).map(URL::toString), path);
            }
        }
    }

    @Test
    void readsAFileOfTheJarAndNoFolderAsTheFrameworksOwnLoaderDoes() throws IOException {
        Path jar = jar();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            JarResources resources = new JarResources(loader);

            assertEquals(Optional.of("micronaut:\n  application:\n    name: from-the-jar\n"),
                    text(resources.getResourceAsStream("application.yml")));
            assertEquals(Optional.empty(), text(resources.getResourceAsStream("public")), "a folder is no resource");
            assertEquals(Optional.empty(), text(resources.getResourceAsStream("missing.yml")));
        }
        readsAsTheFrameworksOwnLoader(jar);
    }

    @Test
    void findsTheFilesOfAFolderOfTheJarAsTheFrameworksOwnLoaderDoesAndNoFolder() throws IOException {
        Path jar = folder.resolve("pages.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
            for (String[] entry : new String[][] {{"public/", ""}, {"public/index.html", "<!doctype html>"},
                    {"public/regulator/", ""}, {"public/regulator/index.html", "<!doctype html><title>r</title>"},
                    {"index.html", "not this one"}}) {
                zip.putNextEntry(new JarEntry(entry[0]));
                zip.write(entry[1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            ResourceLoader pages = new JarResources(loader).forBase("classpath:public");
            ResourceLoader framework = new DefaultClassPathResourceLoader(loader).forBase("classpath:public");

            for (String path : List.of("index.html", "regulator/index.html", "missing.js", "missing", "../index.html")) {
                assertEquals(framework.getResource(path).map(URL::toString), pages.getResource(path).map(URL::toString), path);
            }
            // Read in the base folder. (The framework's loader, which looks the name up outside the base
            // once it found it inside, reads the jar's other index.html.)
            assertEquals(Optional.of("<!doctype html>"), text(pages.getResourceAsStream("index.html")));
            assertEquals(Optional.of("<!doctype html><title>r</title>"), text(pages.getResourceAsStream("regulator/index.html")));
            assertEquals(Optional.empty(), text(pages.getResourceAsStream("missing.js")));
            // Prefixed as the framework's callers write paths (the regulators' page, a leading slash).
            assertEquals(Optional.of("<!doctype html>"), text(pages.getResourceAsStream("/index.html")));
            assertEquals(Optional.of("<!doctype html>"), text(pages.getResourceAsStream("classpath:index.html")));
            assertEquals(Optional.of("<!doctype html><title>r</title>"),
                    text(new JarResources(loader).getResourceAsStream("classpath:public/regulator/index.html")));
            assertEquals(framework.getResource("/index.html").map(URL::toString), pages.getResource("/index.html").map(URL::toString));
            // A folder is no file to serve (the framework's loader, for the same reason, finds it one).
            assertEquals(Optional.empty(), pages.getResource("regulator"));
            assertEquals(Optional.empty(), pages.getResource("regulator/"));
        }
    }

    @Test
    void readsAClassFolderAsTheFrameworksOwnLoaderDoes() throws IOException {
        readsAsTheFrameworksOwnLoader(classFolder());
    }
}
