/// Where a database stands against one build's schema (`MigrationRunner.standing()`).
public enum SchemaStanding: Sendable, Equatable {
    /// Exactly this build's migrations and repeatable set.
    case current
    /// Migrated by a newer build: every migration this build knows is applied unchanged, and the database has more
    /// (`newer`: those files, and the repeatable set when a newer build's replaced this one's). A rolling deploy
    /// runs old and new processes on it side by side, so this build serves it, and `migrate` leaves it alone.
    case ahead(newer: [String])
    /// Missing migrations of this build, or its repeatable set (`pending` names them): `transact migrate` first.
    case behind(pending: [String])
}
