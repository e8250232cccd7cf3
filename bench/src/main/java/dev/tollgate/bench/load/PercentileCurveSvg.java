package dev.tollgate.bench.load;

import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Draws one latency-by-percentile curve per target as a standalone SVG: x is the percentile on a log scale of
 * {@code 1 / (1 - p)} from 0 to 99.99, y the latency in µs. Immutable.
 */
final class PercentileCurveSvg {

  static final double[] PERCENTILES = {0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99,
      99.3, 99.5, 99.7, 99.8, 99.9, 99.93, 99.95, 99.97, 99.98, 99.99};
  private static final double[] X_TICKS = {0, 90, 99, 99.9, 99.99};
  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  private static final int WIDTH = 800;
  private static final int HEIGHT = 480;
  private static final int LEFT = 80;
  private static final int RIGHT = 160;
  private static final int TOP = 40;
  private static final int BOTTOM = 60;
  private static final double MAX_NINES = 4; // log10(1 / (1 - 0.9999))

  private final List<TargetStats> stats;

  PercentileCurveSvg(List<TargetStats> stats) {
    this.stats = List.copyOf(stats);
  }

  String render() {
    long maxMicros = 1;
    for (TargetStats s : stats) {
      maxMicros = Math.max(maxMicros, s.latencyMicros().getValueAtPercentile(99.99));
    }
    double yMax = niceCeiling(maxMicros);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"16\">Latency by percentile</text>\n",
        LEFT));
    // axes and grid
    for (int i = 0; i <= 5; i++) {
      double value = yMax * i / 5;
      double y = y(value, yMax);
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
              + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
          LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4, value));
    }
    for (double p : X_TICKS) {
      double x = x(p);
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
              + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s%%</text>\n",
          x, TOP, x, HEIGHT - BOTTOM, x, HEIGHT - BOTTOM + 18, trim(p)));
    }
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>\n"
            + "<text transform=\"translate(20 %d) rotate(-90)\" text-anchor=\"middle\">latency (µs)</text>\n",
        LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 16, TOP + (HEIGHT - TOP - BOTTOM) / 2));
    // one curve and one legend entry per target
    for (int t = 0; t < stats.size(); t++) {
      TargetStats s = stats.get(t);
      String colour = COLOURS[t % COLOURS.length];
      Histogram h = s.latencyMicros();
      StringBuilder points = new StringBuilder();
      if (h.getTotalCount() > 0) {
        for (double p : PERCENTILES) {
          points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(p), y(h.getValueAtPercentile(p), yMax)));
        }
      }
      svg.append(String.format(Locale.ROOT,
          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>\n", colour,
          points.toString().trim()));
      int legendY = TOP + 10 + t * 20;
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
              + "<text x=\"%d\" y=\"%d\">%s</text>\n",
          WIDTH - RIGHT + 16, legendY, WIDTH - RIGHT + 36, legendY, colour, WIDTH - RIGHT + 42, legendY + 4,
          escape(s.target().name())));
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** Horizontal position of percentile {@code p}: log10(1 / (1 - p/100)), 0 at p = 0, 4 at p = 99.99. */
  static double x(double percentile) {
    double nines = Math.min(MAX_NINES, Math.log10(1 / (1 - Math.min(percentile, 99.99) / 100)));
    return LEFT + nines / MAX_NINES * (WIDTH - LEFT - RIGHT);
  }

  private static double y(double micros, double yMax) {
    return HEIGHT - BOTTOM - micros / yMax * (HEIGHT - TOP - BOTTOM);
  }

  private static double niceCeiling(long value) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= value) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String trim(double p) {
    return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
