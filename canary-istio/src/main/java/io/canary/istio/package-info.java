/**
 * The Istio {@link io.canary.core.spi.TrafficRouter}: {@link io.canary.istio.IstioTrafficRouter}.
 * Implementation details live in {@code io.canary.istio.internal}.
 */
package io.canary.istio;
