package health.consent.service.ops;

import io.micronaut.core.io.service.SoftServiceLoader;
import io.micronaut.core.optim.StaticOptimizations;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.Set;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The framework's services (its bean definitions, introspections, property source loaders...),
 * listed from the service's own jar before the framework starts, so that it does not look for them.
 *
 * <p>Left to itself, the framework finds them by opening the jar as a zip file system and walking
 * its {@code META-INF/micronaut} folder: the whole central directory of the packaged jar (some
 * 18,500 entries) read and parsed again, in a start of about a second. Here the same names are
 * read from the {@link JarFile} the class loader already has open (the JDK shares one parsed
 * central directory between the two), and handed to the framework as its static service list,
 * which it takes instead of scanning: every {@code META-INF/micronaut/TYPE/NAME} entry, and every
 * name listed in a {@code META-INF/services/TYPE} file, as the scan would find them. The jar being
 * the whole class path, a type it lists nowhere has no service.
 *
 * <p>Only when the service runs from a single jar (as {@code bin/consent-service} starts it): from
 * class folders (the tests, an IDE) the framework scans as usual.
 */
public final class ServiceIndex {

    private static final String MICRONAUT = "META-INF/micronaut/";
    private static final String SERVICES = "META-INF/services/";

    private ServiceIndex() {
    }

    /**
     * Gives the framework the services listed in the jar that holds this class, if it runs from
     * one. Must run before the framework loads its first service. Returns how many types were listed.
     */
    public static int install() {
        Path jar = ownJar();
        if (jar == null) {
            return 0;
        }
        Map<String, Set<String>> services;
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            Manifest manifest = file.getManifest();
            if (manifest != null && manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH) != null) {
                return 0; // Other jars beside it may list services of their own: the framework scans.
            }
            services = read(file);
        } catch (IOException e) {
            return 0; // The framework scans, as it would have.
        }
        StaticOptimizations.set(optimizations(services, ServiceIndex.class.getClassLoader()));
        return services.size();
    }

    /** The framework's static service list: these services, and none of any other type. */
    static SoftServiceLoader.Optimizations optimizations(Map<String, Set<String>> services, ClassLoader loader) {
        Complete loaders = new Complete();
        services.forEach((type, names) -> loaders.put(type, new Listed<>(List.copyOf(names), loader)));
        return new SoftServiceLoader.Optimizations(loaders);
    }

    /**
     * The jar is the whole class path: a type it lists nothing for has no service, and the
     * framework, which asks this map for each type, gets an empty list rather than null (which
     * would send it scanning).
     */
    private static final class Complete extends HashMap<String, SoftServiceLoader.StaticServiceLoader<?>> {

        private static final SoftServiceLoader.StaticServiceLoader<?> NONE = condition -> Stream.empty();

        @Override
        public SoftServiceLoader.StaticServiceLoader<?> get(Object type) {
            return getOrDefault(type, NONE);
        }

        @Override
        public boolean containsKey(Object type) {
            return true; // The framework's iterator asks this before get.
        }
    }

    /** The services a jar lists, by type, in the order of its entries. */
    static Map<String, Set<String>> read(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            return read(file);
        }
    }

    private static Map<String, Set<String>> read(JarFile file) throws IOException {
        Map<String, Set<String>> services = new LinkedHashMap<>();
        Enumeration<JarEntry> entries = file.entries();
        while (entries.hasMoreElements()) {
            JarEntry entry = entries.nextElement();
            String name = entry.getName();
            if (entry.isDirectory()) {
                continue;
            }
            if (name.startsWith(MICRONAUT)) {
                int slash = name.indexOf('/', MICRONAUT.length());
                if (slash > MICRONAUT.length() && slash < name.length() - 1 && name.indexOf('/', slash + 1) < 0) {
                    services.computeIfAbsent(name.substring(MICRONAUT.length(), slash), t -> new LinkedHashSet<>())
                            .add(name.substring(slash + 1));
                }
            } else if (name.startsWith(SERVICES) && name.indexOf('/', SERVICES.length()) < 0) {
                Set<String> names = services.computeIfAbsent(name.substring(SERVICES.length()), t -> new LinkedHashSet<>());
                try (BufferedReader reader = new BufferedReader(
                        new InputStreamReader(file.getInputStream(entry), StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        int hash = line.indexOf('#');
                        String listed = (hash >= 0 ? line.substring(0, hash) : line).trim();
                        if (!listed.isEmpty()) {
                            names.add(listed);
                        }
                    }
                }
            }
        }
        return services;
    }

    /**
     * The jar this class was loaded from, when it is the whole class path ({@code java -jar}, no
     * module path, nothing appended to the boot class path; its manifest is checked as it is read);
     * otherwise null: a folder, or other places that may list services of their own.
     */
    private static Path ownJar() {
        CodeSource source = ServiceIndex.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null || System.getProperty("jdk.module.path") != null
                || System.getProperty("jdk.boot.class.path.append") != null) {
            return null;
        }
        try {
            Path path = Path.of(source.getLocation().toURI());
            String classPath = System.getProperty("java.class.path", "");
            boolean alone = !classPath.isEmpty() && !classPath.contains(File.pathSeparator) && Files.isRegularFile(path)
                    && Path.of(classPath).toRealPath().equals(path.toRealPath());
            return alone ? path : null;
        } catch (URISyntaxException | IllegalArgumentException | IOException e) {
            return null;
        }
    }

    /**
     * One type's listed services. As the scan does, a service whose class, or a class it needs,
     * is absent (a module's optional part) is left out, and one that fails as it is made stops
     * the start.
     */
    private record Listed<S>(List<String> names, ClassLoader loader) implements SoftServiceLoader.StaticServiceLoader<S> {

        @Override
        public Stream<SoftServiceLoader.StaticDefinition<S>> findAll(Predicate<String> condition) {
            return names.stream().filter(condition).map(this::define).filter(Objects::nonNull);
        }

        @SuppressWarnings("unchecked")
        private SoftServiceLoader.StaticDefinition<S> define(String name) {
            S service;
            try {
                service = (S) Class.forName(name, false, loader).getConstructor().newInstance();
            } catch (ClassNotFoundException | NoClassDefFoundError | NoSuchMethodException | IllegalAccessException e) {
                return null;
            } catch (InvocationTargetException e) {
                // The constructor's own failure, as the framework's method handle would see it.
                if (e.getCause() instanceof NoClassDefFoundError) {
                    return null;
                }
                // A service that fails as it is made stops the start, as it does when the framework scans.
                throw new ServiceConfigurationError(name + " could not be made", e.getCause());
            } catch (InstantiationException e) {
                throw new ServiceConfigurationError(name + " could not be made", e);
            }
            return SoftServiceLoader.StaticDefinition.of(name, () -> service);
        }
    }
}
