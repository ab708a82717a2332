package io.canary.core.internal;

import io.canary.core.analysis.LifecyclePoint;
import io.canary.core.GateSpec;
import java.util.HashSet;
import java.util.Set;
import io.canary.core.AnalysisSpec;
import io.canary.core.CanarySpec;
import io.canary.core.Names;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.RouteMatch;
import io.canary.core.Step;
import io.canary.core.StringMatch;
import io.canary.core.TrafficStrategy;
import io.canary.core.WorkloadRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a whole {@link CanarySpec} and returns every problem, each naming the field or step and
 * what would be right. Reads nothing from a cluster: the adapters check the objects a spec names.
 */
public final class SpecValidator {
  private static final Pattern INT_OR_PERCENT = Pattern.compile("\\d+%?");
  private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]+");

  private SpecValidator() {}

  public static List<Problem> validate(CanarySpec spec) {
    List<Problem> p = new ArrayList<>();
    label(p, "name", spec.name());
    label(p, "namespace", spec.namespace());
    target(p, spec.target());
    revision(p, spec.revision());
    traffic(p, spec.traffic());
    steps(p, spec);
    spec.analysis().ifPresent(a -> analysis(p, "analysis", a));
    gates(p, spec);
    notNegative(p, "scaleDownDelay", spec.scaleDownDelay());
    notNegative(p, "abortScaleDownDelay", spec.abortScaleDownDelay());
    if (spec.progressDeadline().isZero() || spec.progressDeadline().isNegative()) {
      p.add(Problem.of("progressDeadline", "must be positive, was " + spec.progressDeadline()));
    }
    surge(p, spec);
    scaling(p, spec);
    return p;
  }

  private static void label(List<Problem> p, String where, String value) {
    Names.checkLabel(p, where, value);
  }

  private static void subdomain(List<Problem> p, String where, String value) {
    Names.checkSubdomain(p, where, value);
  }

  /** The workload kind is the Workloads adapter's to check: it knows which kinds it drives. */
  private static void target(List<Problem> p, WorkloadRef target) {
    if (target.kind().isBlank()) {
      p.add(Problem.of("target.kind", "must name the workload's kind, for example Deployment"));
    }
    subdomain(p, "target.name", target.name());
  }

  private static void revision(List<Problem> p, NewRevision r) {
    int kinds = (r.images().isEmpty() ? 0 : 1) + (r.podTemplate().isPresent() ? 1 : 0)
        + (r.existingWorkload().isPresent() ? 1 : 0);
    if (kinds != 1) {
      p.add(Problem.of("revision", "give exactly one of images, podTemplate or existingWorkload (" + kinds
          + " given)"));
    }
    r.images().forEach((container, image) -> {
      if (!Names.isDnsLabel(container)) {
        p.add(Problem.of("revision.images[" + container + "]", "container name '" + container
            + "' is not a DNS-1123 label"));
      }
      if (image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
        p.add(Problem.of("revision.images[" + container + "]", "image '" + image
            + "' must be a non-empty image reference without spaces"));
      }
    });
    r.existingWorkload().ifPresent(w -> subdomain(p, "revision.existingWorkload", w));
  }

  private static void traffic(List<Problem> p, TrafficStrategy t) {
    for (Problem problem : t.validate()) {
      p.add(Problem.of("traffic." + problem.where(), problem.message()));
    }
  }

  private static void steps(List<Problem> p, CanarySpec spec) {
    List<Step> steps = spec.steps();
    Map<String, String> routeKinds = new HashMap<>();
    Optional<Integer> fixedCanaryReplicas = Optional.empty();
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      String where = "step " + StepNumbers.number(i) + " (" + s.describe() + ")";
      if (s instanceof Step.SetWeight w) {
        percent(p, where + ".weight", w.weight());
        if (w.weight() > 0 && fixedCanaryReplicas.isPresent() && fixedCanaryReplicas.get() == 0) {
          p.add(Problem.of(where, "can never finish: an earlier setCanaryScale keeps the canary at 0 replicas, so no pod"
              + " can take " + w.weight() + "% of the traffic; scale the canary up first"));
        }
      } else if (s instanceof Step.Pause pause) {
        pause.duration().ifPresent(d -> notNegative(p, where + ".duration", d));
      } else if (s instanceof Step.SetCanaryScale scale) {
        int given = (scale.replicas().isPresent() ? 1 : 0) + (scale.percent().isPresent() ? 1 : 0)
            + (scale.matchTrafficWeight() ? 1 : 0);
        if (given != 1) {
          p.add(Problem.of(where, "give exactly one of replicas, percent or matchTrafficWeight (" + given + " given)"));
        }
        scale.replicas().ifPresent(r -> {
          if (r < 0) {
            p.add(Problem.of(where + ".replicas", "must not be negative, was " + r));
          }
        });
        scale.percent().ifPresent(pc -> percent(p, where + ".percent", pc));
        fixedCanaryReplicas = scale.replicas().isPresent() ? scale.replicas()
            : scale.percent().map(pc -> pc == 0 ? 0 : -1);
      } else if (s instanceof Step.Analysis a) {
        analysis(p, where + ".analysis", a.analysis());
      } else if (s instanceof Step.SetHeaderRoute h) {
        routeName(p, where, h.name(), "header", routeKinds);
        percent(p, where + ".canaryWeight", h.canaryWeight());
        matches(p, where, h.matches());
      } else if (s instanceof Step.SetMirrorRoute m) {
        routeName(p, where, m.name(), "mirror", routeKinds);
        if (!(m.percent() >= 0 && m.percent() <= 100)) {
          p.add(Problem.of(where + ".percent", "must be within 0..100, was " + m.percent()));
        }
        matches(p, where, m.matches());
      }
    }
  }

  private static void routeName(List<Problem> p, String where, String name, String kind, Map<String, String> kinds) {
    if (name == null || name.isBlank()) {
      p.add(Problem.of(where + ".name", "a " + kind + " route needs a name (it names the managed route in the routing objects)"));
      return;
    }
    if (!Names.isDnsLabel(name)) {
      p.add(Problem.of(where + ".name", "'" + name + "' is not a DNS-1123 label"));
    }
    String before = kinds.putIfAbsent(name, kind);
    if (before != null && !before.equals(kind)) {
      p.add(Problem.of(where + ".name", "'" + name + "' already names a " + before + " route; use another name"));
    }
  }

  private static void matches(List<Problem> p, String where, List<RouteMatch> matches) {
    for (int m = 0; m < matches.size(); m++) {
      RouteMatch match = matches.get(m);
      String at = where + ".matches[" + m + "]";
      if (match.headers().isEmpty() && match.uri().isEmpty() && match.method().isEmpty()) {
        p.add(Problem.of(at, "a match needs at least one header, uri or method condition"));
      }
      match.headers().forEach((name, value) -> {
        if (!HEADER_NAME.matcher(name).matches()) {
          p.add(Problem.of(at + ".headers[" + name + "]", "header names must be lower case tokens"));
        }
        stringMatch(p, at + ".headers[" + name + "]", value);
      });
      match.uri().ifPresent(u -> stringMatch(p, at + ".uri", u));
      match.method().ifPresent(u -> stringMatch(p, at + ".method", u));
    }
  }

  private static void stringMatch(List<Problem> p, String where, StringMatch m) {
    if (m.kind() == StringMatch.Kind.REGEX) {
      try {
        Pattern.compile(m.value());
      } catch (PatternSyntaxException e) {
        p.add(Problem.of(where, "regex '" + m.value() + "' does not compile: " + e.getDescription()));
      }
    } else if (m.value().isEmpty() && m.kind() == StringMatch.Kind.PREFIX) {
      p.add(Problem.of(where, "an empty prefix matches everything; leave the condition out instead"));
    }
  }

  private static void analysis(List<Problem> p, String where, AnalysisSpec a) {
    if (a.name().isBlank()) {
      p.add(Problem.of(where + ".name", "must not be empty"));
    }
    if (a.interval().isZero() || a.interval().isNegative()) {
      p.add(Problem.of(where + ".interval", "must be positive, was " + a.interval()));
    }
    notNegative(p, where + ".initialDelay", a.initialDelay());
    if (a.successfulRuns() < 1) {
      p.add(Problem.of(where + ".successfulRuns", "must be at least 1, was " + a.successfulRuns()));
    }
    if (a.failureLimit() < 0) {
      p.add(Problem.of(where + ".failureLimit", "must not be negative, was " + a.failureLimit()));
    }
    if (a.inconclusiveLimit() < 0) {
      p.add(Problem.of(where + ".inconclusiveLimit", "must not be negative, was " + a.inconclusiveLimit()));
    }
  }

  private static void gates(List<Problem> p, CanarySpec spec) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < spec.gates().size(); i++) {
      GateSpec g = spec.gates().get(i);
      String where = "gates[" + i + "] (" + g.point().flaggerName() + " " + g.name() + ")";
      if (g.point() == LifecyclePoint.ANALYSIS) {
        p.add(Problem.of(where + ".point", "a gate asked at every analysis is an analysis gate:"
            + " use gate.asAnalysisGate() in an AnalysisSpec"));
      }
      if (g.name().isBlank()) {
        p.add(Problem.of(where + ".name", "must not be empty"));
      } else if (!seen.add(g.point() + "/" + g.name())) {
        p.add(Problem.of(where + ".name", "'" + g.name() + "' names another gate of " + g.point().flaggerName()));
      }
      if (g.interval().isZero() || g.interval().isNegative()) {
        p.add(Problem.of(where + ".interval", "must be positive, was " + g.interval()));
      }
    }
  }

  private static void percent(List<Problem> p, String where, int value) {
    if (value < 0 || value > 100) {
      p.add(Problem.of(where, "must be within 0..100, was " + value));
    }
  }

  private static void notNegative(List<Problem> p, String where, Duration d) {
    if (d.isNegative()) {
      p.add(Problem.of(where, "must not be negative, was " + d));
    }
  }

  private static void surge(List<Problem> p, CanarySpec spec) {
    spec.maxSurge().ifPresent(v -> intOrPercent(p, "maxSurge", v));
    spec.maxUnavailable().ifPresent(v -> intOrPercent(p, "maxUnavailable", v));
    if (spec.maxSurge().map(SpecValidator::isZero).orElse(false)
        && spec.maxUnavailable().map(SpecValidator::isZero).orElse(false)) {
      p.add(Problem.of("maxSurge", "maxSurge and maxUnavailable cannot both be 0: the promotion could never start"));
    }
  }

  private static boolean isZero(String v) {
    return v.equals("0") || v.equals("0%");
  }

  private static void intOrPercent(List<Problem> p, String where, String v) {
    if (!INT_OR_PERCENT.matcher(v).matches()) {
      p.add(Problem.of(where, "'" + v + "' must be a count (3) or a percent (25%)"));
    } else if (v.endsWith("%") && Integer.parseInt(v.substring(0, v.length() - 1)) > 100) {
      p.add(Problem.of(where, "'" + v + "' is over 100%"));
    }
  }

  private static void scaling(List<Problem> p, CanarySpec spec) {
    spec.scaling().preScaleCap().ifPresent(cap -> {
      if (cap < 1) {
        p.add(Problem.of("scaling.preScaleCap", "must be at least 1, was " + cap));
      }
    });
    notNegative(p, "scaling.stableScaleDownDelay", spec.scaling().stableScaleDownDelay());
    spec.scaling().canaryAutoscaler().ifPresent(a -> {
      for (Problem problem : a.validate()) {
        p.add(Problem.of("scaling.canaryAutoscaler." + problem.where(), problem.message()));
      }
    });
  }
}
