package dev.tollgate.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector (run at PARANOID by the build) reports a leaked
 * {@link ByteBuf}. Registered for every test through JUnit's extension auto-detection.
 */
public final class LeakDetectionExtension implements AfterAllCallback {

  private static final List<String> LEAKS = new ArrayList<>();

  static {
    install();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    List<String> found = collect();
    if (!found.isEmpty()) {
      throw new AssertionError("Netty reported " + found.size() + " leaked buffer(s) in "
          + context.getDisplayName() + ":\n" + String.join("\n----\n", found));
    }
  }

  /** Forces the detector to look at everything that became unreachable, and returns what it found. */
  public static List<String> collect() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(20);
      // the detector polls its reference queue when a new buffer is tracked
      for (int j = 0; j < 64; j++) {
        PooledByteBufAllocator.DEFAULT.buffer(8).release();
        UnpooledByteBufAllocator.DEFAULT.buffer(8).release();
        PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
      }
    }
    synchronized (LEAKS) {
      List<String> copy = List.copyOf(LEAKS);
      LEAKS.clear();
      return copy;
    }
  }

  private static void install() {
    try {
      Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
      field.setAccessible(true);
      ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
      detector.setLeakListener((type, records) -> {
        synchronized (LEAKS) {
          LEAKS.add(type + ": " + records);
        }
      });
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot hook Netty's leak detector", e);
    }
  }
}
