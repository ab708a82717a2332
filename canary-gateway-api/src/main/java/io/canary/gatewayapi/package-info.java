/**
 * The Gateway API {@link io.canary.core.spi.TrafficRouter}: {@link io.canary.gatewayapi.GatewayApiTrafficRouter}
 * over HTTPRoutes and GRPCRoutes, and the strategy it drives, built with
 * {@link io.canary.gatewayapi.GatewayApiStrategy#services}. Implementation details live in
 * {@code io.canary.gatewayapi.internal}.
 */
@CanaryStyle
package io.canary.gatewayapi;

import io.canary.core.CanaryStyle;
