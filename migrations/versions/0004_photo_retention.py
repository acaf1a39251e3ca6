"""photo retention

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:20:00

photos.removed_at: when `flask photos cleanup` deleted a photo's files under the retention
policy (PHOTO_RETENTION_DAYS); the row stays so visits can say so.

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
