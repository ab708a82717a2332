package io.canary.testing;

import io.canary.testing.Timeline.RevisionPoint;
import io.canary.testing.Timeline.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;
import org.assertj.core.api.AbstractObjectAssert;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ListAssert;

/**
 * Assertions on a {@link Timeline}. A revision is named by any part of its display name (an image
 * tag, a pod-template-hash, a Deployment name), as long as the part is unambiguous.
 */
public final class TimelineAssert extends AbstractObjectAssert<TimelineAssert, Timeline> {
  TimelineAssert(Timeline actual) {
    super(actual, TimelineAssert.class);
  }

  private String revision(String part) {
    isNotNull();
    List<String> found = actual.revisions().stream().filter(r -> r.contains(part)).toList();
    if (found.size() != 1) {
      failWithMessage("Expected one revision of the timeline to be named like <%s> but %s are, among %s", part,
          found.size(), actual.revisions());
    }
    return found.get(0);
  }

  /** The request shares (whole percents) revision {@code part} went through, repeats dropped. */
  public ListAssert<Integer> sharesOf(String part) {
    return Assertions.assertThat(series(revision(part), p -> (int) Math.round(p.requestShare() * 100)));
  }

  /** The replicas revision {@code part} went through, repeats dropped. */
  public ListAssert<Integer> replicasOf(String part) {
    return Assertions.assertThat(series(revision(part), RevisionPoint::replicas));
  }

  /** The ready pods revision {@code part} went through, repeats dropped. */
  public ListAssert<Integer> readyPodsOf(String part) {
    return Assertions.assertThat(series(revision(part), RevisionPoint::readyPods));
  }

  /** The error rates (whole percents) revision {@code part} went through, repeats dropped. */
  public ListAssert<Integer> errorPercentsOf(String part) {
    return Assertions.assertThat(series(revision(part), p -> (int) Math.round(p.errorRate() * 100)));
  }

  /** Some marker contains {@code text}. */
  public TimelineAssert hasMarkerContaining(String text) {
    isNotNull();
    if (actual.markers().stream().noneMatch(m -> m.contains(text))) {
      failWithMessage("Expected a timeline marker containing <%s> but the markers are %s", text, actual.markers());
    }
    return this;
  }

  /** Revision {@code part} ever served at least {@code percent} percent of the requests. */
  public TimelineAssert reachedShare(String part, int percent) {
    List<Integer> shares = series(revision(part), p -> (int) Math.round(p.requestShare() * 100));
    if (shares.stream().noneMatch(s -> s >= percent)) {
      failWithMessage("Expected revision <%s> to reach %s%% of the requests but its shares were %s", part, percent,
          shares);
    }
    return this;
  }

  private List<Integer> series(String revision, ToIntFunction<RevisionPoint> value) {
    List<Integer> out = new ArrayList<>();
    for (Sample s : actual.samples()) {
      Optional<RevisionPoint> p = s.revision(revision);
      if (p.isEmpty()) {
        continue;
      }
      int v = value.applyAsInt(p.get());
      if (out.isEmpty() || out.get(out.size() - 1) != v) {
        out.add(v);
      }
    }
    return out;
  }
}
