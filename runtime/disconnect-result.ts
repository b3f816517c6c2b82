/**
 * What `disconnect(id)` closed across the cluster: this node's count, each other node that answered
 * within the timeout, and the nodes that did not answer.
 */
export interface DisconnectResult {
  /** The live socket id that was disconnected. */
  readonly liveSocketId: string;
  /** Connections closed in all, on every node that answered. */
  readonly closed: number;
  /** One entry per node that answered, this node first: its id and how many connections it closed. */
  readonly nodes: ReadonlyArray<{ readonly nodeId: string; readonly closed: number }>;
  /** Ids of nodes believed up that did not answer within the timeout. */
  readonly unanswered: readonly string[];
}
