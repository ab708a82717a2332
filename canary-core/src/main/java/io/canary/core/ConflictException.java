package io.canary.core;

/** A compare-and-set saw another version than the one it expected: someone else wrote first. */
public class ConflictException extends CanaryException {
  private static final long serialVersionUID = 1L;

  public ConflictException(String message) {
    super(message);
  }
}
