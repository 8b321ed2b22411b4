package health.consent.service.ops;

import io.micronaut.context.annotation.BootstrapContextCompatible;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.env.Environment;
import io.micronaut.core.io.scan.ClassPathResourceLoader;
import io.micronaut.http.resource.ResourceLoaderFactory;
import jakarta.inject.Singleton;

/**
 * The class path loader the framework's {@code ResourceResolver} offers (for static files, the
 * regulators' page, any bean that asks for one): {@link JarResources} in place of the framework's
 * own, so that the first request for each file of the patients' page does not open the jar as a zip
 * file system. (The resolver may as well take the environment, itself a loader of the class path,
 * which reads through {@link JarResources} once {@code Application} gives it one: either way.)
 */
@Factory
@BootstrapContextCompatible
public class ResourceLoaders {

    @Singleton
    @BootstrapContextCompatible
    @Replaces(bean = ClassPathResourceLoader.class, factory = ResourceLoaderFactory.class)
    ClassPathResourceLoader classPathResourceLoader(Environment environment) {
        return new JarResources(environment.getClassLoader());
    }
}
