/**
 * Each environment's network: a network namespace of its own, made ready before the environment needs it.
 *
 * <p>Inside, a function sees its own loopback, on which the platform serves that environment's Runtime API and
 * credentials endpoint ({@link dev.thaw.network.EnvironmentNetwork#bind}), and, in the default mode, one veth link
 * to the host through which it reaches the outside network by NAT ({@link dev.thaw.network.EgressFirewall}). It
 * never reaches the host's own addresses, the host's loopback (and so the control API) or another environment.
 * {@link dev.thaw.network.FunctionNetworkMode#NONE} leaves loopback only.
 *
 * <p>Namespaces are made by {@link dev.thaw.network.EnvironmentNetworks} ahead of the cold starts that take them,
 * so a restore finds its namespace ready, and CRIU treats it as external: the copy joins it instead of re-creating
 * one.
 */
package dev.thaw.network;
