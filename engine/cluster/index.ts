/** Scale-out: membership of the instances sharing one kind of work over the bus, and each one's share (rendezvous hashing). */
export { rendezvousOwner, rendezvousAssign } from './rendezvous.ts';
export { WHOLE, type Partition } from './partition.ts';
export { Membership, type MembershipOptions, type MembershipChange } from './membership.ts';
