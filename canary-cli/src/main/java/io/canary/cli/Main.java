package io.canary.cli;

import io.canary.cli.internal.Connector;
import java.util.List;

/** {@code java -jar canary.jar COMMAND ...} (the launcher script {@code canary} runs it). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(Canary.run(List.of(args), System.out, System.err, Connector.kubeconfig(), System.console() != null));
  }
}
