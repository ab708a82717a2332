/**
 * The Istio {@link io.canary.core.spi.TrafficRouter}: {@link io.canary.istio.IstioTrafficRouter}, and
 * the strategies it drives, built with {@link io.canary.istio.IstioStrategy#subsets} and
 * {@link io.canary.istio.IstioStrategy#services}. Implementation details live in
 * {@code io.canary.istio.internal}.
 */
@CanaryStyle
package io.canary.istio;

import io.canary.core.CanaryStyle;
