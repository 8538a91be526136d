/** kube-scheduler's role: watches unbound pods and binds each to a node through the API server. */
package dev.navis.scheduler;
