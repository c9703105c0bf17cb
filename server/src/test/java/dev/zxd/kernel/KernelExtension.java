package dev.zxd.kernel;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test a fresh {@link Kernel} (and a {@link KernelFixture} of helpers over it), and after the test
 * kills every live process and fails the test if any kernel object is still alive: the leak check every kernel
 * test shares. The kernel is closed afterwards in every case.
 *
 * <p>Use with {@code @ExtendWith(KernelExtension.class)} and take a {@code Kernel} or {@code KernelFixture}
 * parameter. The configuration defaults to {@link KernelConfig#DEFAULTS}; a test method or class annotated
 * {@link WithConfig} names a static no-argument method of the test class returning the {@link KernelConfig}.
 */
public final class KernelExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KernelExtension.class);
  private static final String FIXTURE = "fixture";

  /** Names a static method of the test class that returns the {@link KernelConfig} to boot with. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.METHOD, ElementType.TYPE})
  public @interface WithConfig {
    String value();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    KernelConfig config = configFor(context);
    context.getStore(NS).put(FIXTURE, new KernelFixture(new Kernel(config)));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    KernelFixture fixture = context.getStore(NS).remove(FIXTURE, KernelFixture.class);
    if (fixture == null) {
      return;
    }
    Kernel kernel = fixture.kernel();
    try {
      List<Process> live = kernel.processes().all();
      for (Process p : live) {
        p.kill(Process.RETCODE_KILLED);
      }
      // Reference cycles are freed by the collector's pass that the deaths asked for, on the timer thread.
      awaitCollector(kernel);
      if (kernel.objects().size() != 0) {
        throw new AssertionError("kernel objects leaked after every process exited: " + describe(kernel.objects().all()));
      }
      // Everything charged to the budget (VMO pages, queued messages, socket and FIFO buffers) died with the
      // objects, and every wait ended with them: the accounting must be back at zero, exactly.
      if (kernel.memory().used() != 0) {
        throw new AssertionError("memory budget still charged after every object died: " + kernel.memory().used());
      }
      for (Process p : live) {
        if (p.pendingWaits() != 0) {
          throw new AssertionError(p + " still counts " + p.pendingWaits() + " pending waits after it died");
        }
      }
    } finally {
      kernel.close();
    }
  }

  /** Waits (bounded) until the cycle collector has no pass scheduled or running. */
  static void awaitCollector(Kernel kernel) {
    if (kernel.cycles().isIdle()) {
      return;
    }
    try {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
          .pollInterval(java.time.Duration.ofMillis(1)).until(kernel.cycles()::isIdle);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("the cycle collector did not settle within 5 s", e);
    }
  }

  private static String describe(List<KernelObject> leaked) {
    return leaked.stream()
        .sorted(Comparator.comparingLong(KernelObject::koid))
        .map(o -> o + "{handles=" + o.handleCount() + ", signals=0x" + Integer.toHexString(o.signals())
            + ", observers=" + o.observerCount()
            + (o instanceof Channel c ? ", queued=" + c.queuedMessages() : "")
            + (o instanceof Process p ? ", state=" + p.state() : "") + "}")
        .collect(Collectors.joining(", ", leaked.size() + " [", "]"));
  }

  private static KernelConfig configFor(ExtensionContext context) throws Exception {
    WithConfig annotation = context.getTestMethod().map(m -> m.getAnnotation(WithConfig.class)).orElse(null);
    if (annotation == null) {
      annotation = context.getTestClass().map(c -> c.getAnnotation(WithConfig.class)).orElse(null);
    }
    if (annotation == null) {
      return KernelConfig.DEFAULTS;
    }
    Method factory = context.getRequiredTestClass().getDeclaredMethod(annotation.value());
    if (!Modifier.isStatic(factory.getModifiers()) || factory.getReturnType() != KernelConfig.class) {
      throw new IllegalStateException("@WithConfig(\"" + annotation.value() + "\") must name a static method returning KernelConfig");
    }
    factory.setAccessible(true);
    return (KernelConfig) factory.invoke(null);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    return type == Kernel.class || type == KernelFixture.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    KernelFixture fixture = extensionContext.getStore(NS).get(FIXTURE, KernelFixture.class);
    if (fixture == null) {
      throw new ParameterResolutionException("the kernel exists only for test methods (not @BeforeAll)");
    }
    return parameterContext.getParameter().getType() == Kernel.class ? fixture.kernel() : fixture;
  }
}
