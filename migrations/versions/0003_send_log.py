"""send log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:00:00

Every attempt to e-mail a location's report: recipient, period, status, message id, error.

"""
from alembic import op
import sqlalchemy as sa



revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('send_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_send_log_location_id_locations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_send_log'))
    )
    with op.batch_alter_table('send_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_send_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_send_log_location_period', ['location_id', 'period', 'recipient'], unique=False)


def downgrade():
    with op.batch_alter_table('send_log', schema=None) as batch_op:
        batch_op.drop_index('ix_send_log_location_period')
        batch_op.drop_index(batch_op.f('ix_send_log_at'))
    op.drop_table('send_log')
