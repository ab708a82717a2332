package io.canary.core.spi;

import java.util.Optional;

/**
 * One figure an analysis looked at.
 *
 * @param metric for example {@code success-rate}
 * @param revision {@code canary} or {@code stable}
 * @param value the measured value ({@code NaN} when there was no data)
 * @param limit the threshold it was held against, when there is one
 */
public record Measurement(String metric, String revision, double value, Optional<Double> limit) {}
