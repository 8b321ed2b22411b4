package health.consent.service.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.core.io.service.MicronautMetaServiceLoaderUtils;
import io.micronaut.core.io.service.SoftServiceLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The framework's services as {@link ServiceIndex} lists them from a jar: the same as the
 * framework's own scan of that jar finds, and nothing for a type the jar lists nothing for.
 */
class ServiceIndexTest {

    @TempDir
    Path folder;

    /** A jar with these entries (a name ending in / is a folder), each file holding its text. */
    private Path jar(Map<String, String> entries) throws IOException {
        Path jar = folder.resolve("services.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                zip.putNextEntry(new JarEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }

    private Path sample() throws IOException {
        Map<String, String> entries = new java.util.LinkedHashMap<>();
        entries.put("META-INF/", "");
        entries.put("META-INF/micronaut/", "");
        entries.put("META-INF/micronaut/io.micronaut.inject.BeanDefinitionReference/", "");
        entries.put("META-INF/micronaut/io.micronaut.inject.BeanDefinitionReference/a.B$Definition$Reference", "");
        entries.put("META-INF/micronaut/io.micronaut.inject.BeanDefinitionReference/a.C$Definition$Reference", "");
        entries.put("META-INF/micronaut/io.micronaut.core.beans.BeanIntrospectionReference/", "");
        entries.put("META-INF/micronaut/io.micronaut.core.beans.BeanIntrospectionReference/a.$D$Introspection", "");
        entries.put("META-INF/services/", "");
        entries.put("META-INF/services/io.micronaut.context.env.PropertySourceLoader",
                "# the loaders\n\nio.micronaut.context.env.yaml.YamlPropertySourceLoader # YAML\n  a.Other  \n");
        entries.put("a/B.class", "not a class");
        return jar(entries);
    }

    @Test
    void listsEveryServiceOfTheJarByType() throws IOException {
        Map<String, Set<String>> read = ServiceIndex.read(sample());

        assertEquals(Map.of(
                "io.micronaut.inject.BeanDefinitionReference", Set.of("a.B$Definition$Reference", "a.C$Definition$Reference"),
                "io.micronaut.core.beans.BeanIntrospectionReference", Set.of("a.$D$Introspection"),
                "io.micronaut.context.env.PropertySourceLoader",
                Set.of("io.micronaut.context.env.yaml.YamlPropertySourceLoader", "a.Other")), read);
    }

    @Test
    void findsWhatTheFrameworksOwnScanFindsInTheSameJar() throws IOException {
        Path jar = sample();
        Map<String, Set<String>> scanned;
        // The jar alone on a class path (no parent but the JDK's): what the framework's scan finds there.
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            scanned = sorted(MicronautMetaServiceLoaderUtils.findAllMicronautMetaServices(loader));
        }
        Map<String, Set<String>> listed = new TreeMap<>(sorted(ServiceIndex.read(jar)));
        listed.keySet().removeIf(type -> type.equals("io.micronaut.context.env.PropertySourceLoader"));

        assertEquals(2, scanned.size(), "the scan found the jar's services: " + scanned);
        assertEquals(scanned, listed);
    }

    @Test
    void givesTheListedServicesAndNoneForATypeListedNowhere() {
        SoftServiceLoader.Optimizations optimizations = ServiceIndex.optimizations(Map.of(
                "java.lang.Runnable", new java.util.LinkedHashSet<>(List.of(Listed.class.getName(), "a.Missing",
                        Partial.class.getName()))),
                getClass().getClassLoader());
        Map<String, SoftServiceLoader.StaticServiceLoader<?>> loaders = optimizations.getServiceLoaders();

        List<?> runnables = loaders.get("java.lang.Runnable").load(service -> true);
        assertEquals(1, runnables.size(), "the service made, the missing class and the partial one left out: " + runnables);
        assertInstanceOf(Listed.class, runnables.get(0));
        // Any other type: an empty list, not null (which would send the framework scanning the class path).
        String other = "io.micronaut.context.ApplicationContextConfigurer";
        assertTrue(loaders.containsKey(other));
        assertTrue(loaders.get(other).load(service -> true).isEmpty());
    }

    @Test
    void aServiceThatFailsAsItIsMadeStopsTheStartAsTheScanDoes() {
        SoftServiceLoader.StaticServiceLoader<?> loader = ServiceIndex.optimizations(
                Map.of("java.lang.Runnable", Set.of(Failing.class.getName())), getClass().getClassLoader())
                .getServiceLoaders().get("java.lang.Runnable");

        ServiceConfigurationError error = assertThrows(ServiceConfigurationError.class, () -> loader.load(service -> true));
        assertInstanceOf(IllegalStateException.class, error.getCause());
    }

    private static Map<String, Set<String>> sorted(Map<String, Set<String>> services) {
        Map<String, Set<String>> sorted = new TreeMap<>();
        services.forEach((type, names) -> sorted.put(type, new TreeSet<>(names)));
        return sorted;
    }

    /** A service whose constructor needs a class that is absent (a module's optional part). */
    public static final class Partial implements Runnable {
        public Partial() {
            throw new NoClassDefFoundError("a/Missing");
        }

        @Override
        public void run() {
        }
    }

    /** A service whose constructor fails. */
    public static final class Failing implements Runnable {
        public Failing() {
            throw new IllegalStateException("broken");
        }

        @Override
        public void run() {
        }
    }

    /** A service with the public no-argument constructor services have. */
    public static final class Listed implements Runnable {
        @Override
        public void run() {
        }
    }
}
