package io.canary.testing;

import io.canary.core.event.AnalysisEvaluated;
import io.canary.core.event.RolloutEvent;
import io.canary.core.spi.RolloutListener;
import io.canary.testing.internal.TimelineRenderer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What happened during a simulation, one sample per timeline interval: for each revision (one
 * ReplicaSet, or a lone pod) its share of the requests, replicas, ready pods, request and error
 * rates; what each HPA asked for; and markers ({@link #mark(String)}, or the rollout's events when
 * the timeline is added to a runner as a {@link RolloutListener}). Renders as a text table and as a
 * self-contained HTML page with an SVG chart.
 */
public final class Timeline implements RolloutListener {
  /**
   * One revision at one sample.
   *
   * @param revision the revision's display name, for example {@code web:1.2 (5f6d8c)}
   * @param group the ReplicaSet ({@code namespace/name}) behind it
   * @param requestShare share of all requests served in the interval, 0 to 1
   * @param requestRate requests per second served in the interval
   * @param errorRate share of its requests that failed, 0 with no request
   */
  public record RevisionPoint(String revision, String group, int replicas, int readyPods, double requestShare,
      double requestRate, double errorRate) {}

  /** A sample: the revisions that had pods or traffic, the HPAs' desired replicas, the markers since the last. */
  public record Sample(Instant at, List<RevisionPoint> revisions, Map<String, Integer> hpaDesired,
      List<String> markers) {
    public Sample {
      revisions = List.copyOf(revisions);
      hpaDesired = Map.copyOf(hpaDesired);
      markers = List.copyOf(markers);
    }

    public java.util.Optional<RevisionPoint> revision(String name) {
      return revisions.stream().filter(r -> r.revision().equals(name)).findFirst();
    }
  }

  private final List<Sample> samples = new ArrayList<>();
  private final List<String> pendingMarkers = new ArrayList<>();

  Timeline() {}

  /** Adds a free-form marker ("analysis PASS", "step 2") to the next sample. */
  public synchronized void mark(String text) {
    pendingMarkers.add(Objects.requireNonNull(text, "text"));
  }

  /** Marks steps, weight changes, analysis verdicts, promotion, abort and phase changes. */
  @Override
  public void onEvent(RolloutEvent event) {
    if (event instanceof AnalysisEvaluated a) {
      mark("analysis " + a.analysis() + " " + a.result().verdict());
    } else {
      mark(event.key().name() + ": " + event.message());
    }
  }

  synchronized void record(Instant at, List<RevisionPoint> revisions, Map<String, Integer> hpaDesired) {
    samples.add(new Sample(at, revisions, hpaDesired, pendingMarkers));
    pendingMarkers.clear();
  }

  public synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Every revision's name, in the order they first appeared. */
  public synchronized List<String> revisions() {
    Set<String> names = new LinkedHashSet<>();
    samples.forEach(s -> s.revisions().forEach(r -> names.add(r.revision())));
    return List.copyOf(names);
  }

  /** Every marker, in order. */
  public synchronized List<String> markers() {
    List<String> out = new ArrayList<>();
    samples.forEach(s -> out.addAll(s.markers()));
    out.addAll(pendingMarkers);
    return out;
  }

  /** A table, one line per sample whose figures changed or that carries markers. */
  public String renderText() {
    return TimelineRenderer.text(samples(), revisions());
  }

  /** An HTML page with an inline SVG chart of request shares, replicas and error rates; no external resource. */
  public String renderHtml(String title) {
    return TimelineRenderer.html(title, samples(), revisions());
  }

  /** Writes {@link #renderHtml} to {@code file} (folders made as needed) and returns it. */
  public Path writeHtml(Path file, String title) {
    return write(file, renderHtml(title));
  }

  /** Writes {@link #renderText} to {@code file} (folders made as needed) and returns it. */
  public Path writeText(Path file) {
    return write(file, renderText());
  }

  private static Path write(Path file, String content) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the timeline to " + file, e);
    }
  }
}
