/*
 * Development Solr server of ckanext-hueyapan.
 *
 * Runs the real Apache Solr 9 server (Jetty + SolrDispatchFilter, as in
 * org.apache.solr.embedded.JettySolrRunner from solr-test-framework) on
 * http://127.0.0.1:<port>/solr, with the cores found in <solr-home>.
 * Java 17 single-file source mode, no build step:
 *
 *   java -Xmx512m -cp <classpath> services/solr/HueyapanSolr.java <solr-home> <port>
 *
 * The classpath comes from services/solr/pom.xml (see services/solr.sh install).
 * Logs go to stdout. The process runs until it receives SIGTERM or SIGINT, then
 * stops Jetty and closes the cores cleanly (shutdown hook). It exits with status 1,
 * after logging why, when a core fails to load.
 *
 * System properties: solr.log.level (root log level, default INFO).
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;
import org.apache.solr.core.CoreContainer;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

public final class HueyapanSolr {

    private HueyapanSolr() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java -cp <classpath> HueyapanSolr.java <solr-home> <port>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath().normalize();
        int port = Integer.parseInt(args[1]);

        configureLogging();
        Logger log = LogManager.getLogger(HueyapanSolr.class);

        if (!Files.isRegularFile(home.resolve("solr.xml"))) {
            log.fatal("{} is not a Solr home: it has no solr.xml", home);
            LogManager.shutdown();
            System.exit(1);
        }

        // JettySolrRunner binds its connector to 127.0.0.1 only. No port retries:
        // when the port is taken, fail at once instead of retrying for 60 s.
        JettyConfig config = JettyConfig.builder()
                .setPort(port)
                .setContext("/solr")
                .stopAtShutdown(false) // our own hook stops Solr, then logging
                .withPortRetryTime(0)
                .build();
        JettySolrRunner solr = new JettySolrRunner(home.toString(), config);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (solr.isRunning()) {
                    log.info("Stopping Solr");
                    solr.stop();
                    log.info("Solr stopped");
                }
            } catch (Exception e) {
                log.error("Solr did not stop cleanly", e);
            } finally {
                stopped.countDown();
                LogManager.shutdown();
            }
        }, "hueyapan-solr-shutdown"));

        try {
            solr.start();
        } catch (Exception e) {
            log.fatal("Solr could not start on 127.0.0.1:{}: {}", port, e.toString(), e);
            System.exit(1);
        }

        CoreContainer cores = solr.getCoreContainer();
        Map<String, CoreContainer.CoreLoadFailure> failures = cores.getCoreInitFailures();
        if (!failures.isEmpty()) {
            failures.forEach((name, failure) ->
                    log.fatal("Core {} failed to load: {}", name, rootMessage(failure.exception), failure.exception));
            System.exit(1);
        }

        log.info("Solr {} ready on http://127.0.0.1:{}/solr with cores {} (home {})",
                CoreContainer.class.getPackage().getSpecificationVersion(),
                solr.getLocalPort(), cores.getLoadedCoreNames(), home);
        stopped.await();
    }

    /** The message of the innermost cause: the useful part of a core load failure. */
    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    /**
     * Log everything to stdout, in Solr's usual layout, without a log4j2.xml on
     * the classpath. One logger context for the whole JVM: this class comes from
     * the source launcher's class loader, Solr's classes from the application one.
     */
    private static void configureLogging() {
        System.setProperty("log4j2.contextSelector",
                "org.apache.logging.log4j.core.selector.BasicContextSelector");
        Level root = Level.toLevel(System.getProperty("solr.log.level", "INFO"), Level.INFO);

        ConfigurationBuilder<BuiltConfiguration> builder =
                ConfigurationBuilderFactory.newConfigurationBuilder();
        builder.setConfigurationName("hueyapan-solr")
                .setStatusLevel(Level.WARN)
                .setShutdownHook("disable"); // our hook shuts logging down last
        builder.add(builder.newAppender("stdout", "Console")
                .addAttribute("target", ConsoleAppender.Target.SYSTEM_OUT)
                .add(builder.newLayout("PatternLayout")
                        .addAttribute("pattern", "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level (%t) [%c{1.}] %msg%n")));
        builder.add(builder.newRootLogger(root).add(builder.newAppenderRef("stdout")));
        // Quiet chatty libraries, as Solr's own log4j2.xml does.
        for (String name : new String[] {"org.eclipse.jetty", "org.apache.zookeeper", "org.apache.hadoop"}) {
            builder.add(builder.newLogger(name, Level.WARN));
        }
        Configurator.initialize(builder.build());
    }
}
