package health.consent.service.ops;

import io.micronaut.context.annotation.BootstrapContextCompatible;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.env.Environment;
import io.micronaut.core.io.scan.ClassPathResourceLoader;
import io.micronaut.http.resource.ResourceLoaderFactory;
import jakarta.inject.Singleton;

/**
 * The class path loader the framework serves static files and reads resources with ({@code
 * ResourceResolver}): {@link JarResources} in place of the framework's own, so that the first
 * request for each file of the patients' page does not open the jar as a zip file system.
 */
@Factory
public class ResourceLoaders {

    @Singleton
    @BootstrapContextCompatible
    @Replaces(bean = ClassPathResourceLoader.class, factory = ResourceLoaderFactory.class)
    ClassPathResourceLoader classPathResourceLoader(Environment environment) {
        return new JarResources(environment.getClassLoader());
    }
}
