package io.canary.testing.internal;

import io.canary.testing.Timeline.RevisionPoint;
import io.canary.testing.Timeline.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** Draws a timeline as a text table and as an HTML page with an inline SVG chart. */
public final class TimelineRenderer {
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
      "#e377c2", "#17becf"};
  private static final int WIDTH = 1000;
  private static final int PANEL = 200;
  private static final int LEFT = 60;
  private static final int MAX_POINTS = 1500;

  private TimelineRenderer() {}

  public static String text(List<Sample> samples, List<String> revisions) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-10s", "elapsed"));
    for (String r : revisions) {
      out.append(" | ").append(String.format(Locale.ROOT, "%-30s", r));
    }
    out.append(" | hpa desired | markers\n");
    out.append(String.format(Locale.ROOT, "%-10s", ""));
    for (int i = 0; i < revisions.size(); i++) {
      out.append(" | ").append(String.format(Locale.ROOT, "%-30s", "share rep/ready req/s err%"));
    }
    out.append(" |\n");
    String previous = null;
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      StringBuilder row = new StringBuilder();
      for (String r : revisions) {
        Optional<RevisionPoint> p = s.revision(r);
        row.append(" | ").append(String.format(Locale.ROOT, "%-30s", p.map(TimelineRenderer::cell).orElse("-")));
      }
      row.append(" | ").append(String.format(Locale.ROOT, "%-11s", s.hpaDesired().isEmpty() ? "-"
          : String.join(",", s.hpaDesired().values().stream().map(String::valueOf).toList())));
      boolean last = i == samples.size() - 1;
      if (row.toString().equals(previous) && s.markers().isEmpty() && !last) {
        continue;
      }
      previous = row.toString();
      out.append(String.format(Locale.ROOT, "%-10s", elapsed(Duration.between(samples.get(0).at(), s.at()))))
          .append(row).append(" | ").append(String.join("; ", s.markers())).append('\n');
    }
    return out.toString();
  }

  private static String cell(RevisionPoint p) {
    return String.format(Locale.ROOT, "%3.0f%% %2d/%-2d %7.1f %5.1f", p.requestShare() * 100, p.replicas(),
        p.readyPods(), p.requestRate(), p.errorRate() * 100);
  }

  private static String elapsed(Duration d) {
    return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }

  public static String html(String title, List<Sample> all, List<String> revisions) {
    List<Sample> samples = thin(all);
    StringBuilder svg = new StringBuilder();
    int height = PANEL * 3 + 120;
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH + 20).append("\" height=\"")
        .append(height).append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
    if (!samples.isEmpty()) {
      long start = samples.get(0).at().toEpochMilli();
      long span = Math.max(1, samples.get(samples.size() - 1).at().toEpochMilli() - start);
      double maxReplicas = Math.max(1, samples.stream().flatMap(s -> s.revisions().stream())
          .mapToInt(RevisionPoint::replicas).max().orElse(1));
      double maxError = Math.max(5, samples.stream().flatMap(s -> s.revisions().stream())
          .mapToDouble(p -> p.errorRate() * 100).max().orElse(0));
      panel(svg, 0, "Request share (%)", 100, samples, revisions, start, span, p -> p.requestShare() * 100, false);
      panel(svg, 1, "Replicas (solid) and ready pods (dashed)", maxReplicas, samples, revisions, start, span,
          p -> p.replicas(), false);
      panel(svg, 1, null, maxReplicas, samples, revisions, start, span, p -> p.readyPods(), true);
      panel(svg, 2, "Error rate (%)", maxError, samples, revisions, start, span, p -> p.errorRate() * 100, false);
      markers(svg, samples, start, span);
      legend(svg, revisions, PANEL * 3 + 70);
      svg.append("<text x=\"").append(LEFT).append("\" y=\"").append(PANEL * 3 + 50).append("\">0:00:00</text>")
          .append("<text x=\"").append(LEFT + WIDTH - 140).append("\" y=\"").append(PANEL * 3 + 50)
          .append("\" text-anchor=\"end\">").append(elapsed(Duration.ofMillis(span))).append("</text>\n");
    }
    svg.append("</svg>\n");
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head>\n"
        + "<body style=\"font-family:sans-serif\">\n<h1 style=\"font-size:18px\">" + escape(title) + "</h1>\n"
        + svg + "<pre style=\"font-size:11px\">" + escape(text(all, revisions)) + "</pre>\n</body></html>\n";
  }

  /** Keeps at most about MAX_POINTS samples, always those that carry markers. */
  private static List<Sample> thin(List<Sample> samples) {
    if (samples.size() <= MAX_POINTS) {
      return samples;
    }
    int every = (int) Math.ceil(samples.size() / (double) MAX_POINTS);
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      if (i % every == 0 || !samples.get(i).markers().isEmpty() || i == samples.size() - 1) {
        out.add(samples.get(i));
      }
    }
    return out;
  }

  private static void panel(StringBuilder svg, int index, String label, double max, List<Sample> samples,
      List<String> revisions, long start, long span, ToDoubleFunction<RevisionPoint> value, boolean dashed) {
    int top = 20 + index * (PANEL + 20);
    int plotWidth = WIDTH - LEFT - 140;
    if (label != null) {
      svg.append("<g class=\"panel\"><rect x=\"").append(LEFT).append("\" y=\"").append(top).append("\" width=\"")
          .append(plotWidth).append("\" height=\"").append(PANEL - 20)
          .append("\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n<text x=\"").append(LEFT).append("\" y=\"")
          .append(top - 5).append("\" font-weight=\"bold\">").append(escape(label)).append("</text>\n")
          .append("<text x=\"").append(LEFT - 5).append("\" y=\"").append(top + 10)
          .append("\" text-anchor=\"end\">").append(format(max)).append("</text><text x=\"").append(LEFT - 5)
          .append("\" y=\"").append(top + PANEL - 20).append("\" text-anchor=\"end\">0</text></g>\n");
    }
    for (int r = 0; r < revisions.size(); r++) {
      String name = revisions.get(r);
      StringBuilder points = new StringBuilder();
      for (Sample s : samples) {
        double v = s.revision(name).map(value::applyAsDouble).orElse(0.0);
        double x = LEFT + (s.at().toEpochMilli() - start) * (double) plotWidth / span;
        double y = top + (PANEL - 20) * (1 - Math.min(v, max) / max);
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      svg.append("<polyline class=\"series\" data-revision=\"").append(escape(name)).append("\" fill=\"none\" stroke=\"")
          .append(COLORS[r % COLORS.length]).append("\" stroke-width=\"").append(dashed ? "1" : "2").append('"')
          .append(dashed ? " stroke-dasharray=\"4 3\"" : "").append(" points=\"").append(points.toString().trim())
          .append("\"><title>").append(escape(name)).append("</title></polyline>\n");
    }
  }

  private static void markers(StringBuilder svg, List<Sample> samples, long start, long span) {
    int plotWidth = WIDTH - LEFT - 140;
    for (Sample s : samples) {
      if (s.markers().isEmpty()) {
        continue;
      }
      double x = LEFT + (s.at().toEpochMilli() - start) * (double) plotWidth / span;
      String text = String.join("; ", s.markers());
      svg.append(String.format(Locale.ROOT, "<line class=\"marker\" x1=\"%.1f\" y1=\"20\" x2=\"%.1f\" y2=\"%d\" "
          + "stroke=\"#999\" stroke-dasharray=\"2 2\"><title>%s</title></line>\n", x, x, PANEL * 3 + 40,
          escape(text)));
    }
  }

  private static void legend(StringBuilder svg, List<String> revisions, int y) {
    int x = LEFT;
    for (int r = 0; r < revisions.size(); r++) {
      svg.append("<rect x=\"").append(x).append("\" y=\"").append(y - 9).append("\" width=\"10\" height=\"10\" fill=\"")
          .append(COLORS[r % COLORS.length]).append("\"/><text x=\"").append(x + 14).append("\" y=\"").append(y)
          .append("\">").append(escape(revisions.get(r))).append("</text>\n");
      x += 20 + 7 * revisions.get(r).length();
      if (x > WIDTH - 200) {
        x = LEFT;
        y += 16;
      }
    }
  }

  private static String format(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
