"""Matching protocols: pure functions from (state: open asks, quotes, time; protocol inputs;
seed) to the assignments the engine signs. Every assignment is one `spec.apply` accepts."""
from spec.matching.auction import AuctionRules, BidCommitment, BidReveal, bid_commitment, revealed_bids, sealed_bid_auction
from spec.matching.common import InvalidMatchingRule, Match, commit, eligible, open_asks, tie_rank
from spec.matching.dutch import DutchRules, Lock, dutch_price, reverse_dutch
from spec.matching.orderbook import orderbook, orderbook_key, preference_score
from spec.matching.race import RaceResult, RaceSubmission, proof_race
from spec.matching.round_robin import round_robin, rotation

__all__ = [
    "AuctionRules", "BidCommitment", "BidReveal", "DutchRules", "InvalidMatchingRule", "Lock", "Match", "RaceResult", "RaceSubmission",
    "bid_commitment", "commit", "dutch_price", "eligible", "open_asks", "orderbook", "orderbook_key",
    "preference_score", "proof_race", "revealed_bids", "reverse_dutch", "rotation", "round_robin",
    "sealed_bid_auction", "tie_rank",
]
